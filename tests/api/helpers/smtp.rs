//! A real, minimal SMTP server for tests: it accepts every message over plain TCP on
//! 127.0.0.1, without TLS or authentication, and keeps what it received in memory.
//!
//! It speaks enough SMTP for lettre's client (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT),
//! serves several connections at once and stops when the [`SmtpSink`] is dropped.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// One message as the sink received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// Envelope sender (`MAIL FROM`), without angle brackets.
    pub from: String,
    /// Envelope recipients (`RCPT TO`), without angle brackets.
    pub to: Vec<String>,
    /// The raw message (headers and encoded body, CRLF line endings), dot-unstuffed, without
    /// the final line break that precedes the terminating `.`.
    pub data: String,
}

/// A running SMTP sink; the server stops when this is dropped.
pub struct SmtpSink {
    port: u16,
    messages: Arc<Mutex<Vec<ReceivedMail>>>,
    server: JoinHandle<()>,
}

impl SmtpSink {
    /// Starts a sink on 127.0.0.1 and a free port.
    pub async fn start() -> Self {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind the SMTP sink");
        let port = listener.local_addr().expect("sink address").port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let store = Arc::clone(&messages);
        // The connection tasks live in a JoinSet owned by this task: aborting the task drops
        // the set, which aborts every connection.
        let server = tokio::spawn(async move {
            let mut connections = JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        if let Ok((stream, _)) = accepted {
                            connections.spawn(serve(stream, Arc::clone(&store)));
                        }
                    }
                    Some(_) = connections.join_next(), if !connections.is_empty() => {}
                }
            }
        });
        Self {
            port,
            messages,
            server,
        }
    }

    /// The port the sink listens on (host 127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every message received so far, oldest first.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        self.messages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Waits for a message to `to` whose subject contains `subject`; panics with the subjects
    /// received if none arrives within `timeout`.
    pub async fn wait_for_subject(
        &self,
        to: &str,
        subject: &str,
        timeout: Duration,
    ) -> ReceivedMail {
        let deadline = Instant::now() + timeout;
        loop {
            let found = self.messages().into_iter().find(|m| {
                m.to.iter().any(|r| r.eq_ignore_ascii_case(to)) && m.subject().contains(subject)
            });
            if let Some(mail) = found {
                return mail;
            }
            if Instant::now() >= deadline {
                let subjects: Vec<String> =
                    self.messages().iter().map(ReceivedMail::subject).collect();
                panic!("no mail to {to} about {subject:?} within {timeout:?}; got {subjects:?}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits for the first message with `to` among its envelope recipients (compared without
    /// regard to case); panics with what was received if none arrives within `timeout`.
    pub async fn wait_for(&self, to: &str, timeout: Duration) -> ReceivedMail {
        let deadline = Instant::now() + timeout;
        loop {
            let found = self
                .messages()
                .into_iter()
                .find(|m| m.to.iter().any(|r| r.eq_ignore_ascii_case(to)));
            if let Some(mail) = found {
                return mail;
            }
            if Instant::now() >= deadline {
                let envelopes: Vec<(String, Vec<String>)> = self
                    .messages()
                    .into_iter()
                    .map(|m| (m.from, m.to))
                    .collect();
                panic!("no mail to {to} within {timeout:?}; received (from, to): {envelopes:?}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// What one SMTP session has collected for the message in progress.
#[derive(Default)]
struct Transaction {
    from: Option<String>,
    to: Vec<String>,
}

/// Serves one connection until QUIT, end of stream or an I/O error.
async fn serve(stream: TcpStream, store: Arc<Mutex<Vec<ReceivedMail>>>) {
    // An I/O error only ends this connection; the client sees it as a failed send.
    let _ = session(stream, &store).await;
}

async fn session(stream: TcpStream, store: &Mutex<Vec<ReceivedMail>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    write
        .write_all(b"220 sink.test ESMTP gopy test sink\r\n")
        .await?;
    let mut transaction = Transaction::default();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let command = String::from_utf8_lossy(&line);
        let command = command.trim_end_matches(['\r', '\n']);
        let verb = command
            .split(' ')
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-sink.test\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 HELP\r\n",
            "HELO" => b"250 sink.test\r\n",
            "MAIL" => match path_argument(command, "MAIL FROM:") {
                Some(from) => {
                    transaction = Transaction {
                        from: Some(from),
                        to: Vec::new(),
                    };
                    b"250 2.1.0 OK\r\n"
                }
                None => b"501 5.5.4 Syntax: MAIL FROM:<address>\r\n",
            },
            "RCPT" => match (&transaction.from, path_argument(command, "RCPT TO:")) {
                (None, _) => b"503 5.5.1 MAIL first\r\n",
                (Some(_), Some(to)) => {
                    transaction.to.push(to);
                    b"250 2.1.5 OK\r\n"
                }
                (Some(_), None) => b"501 5.5.4 Syntax: RCPT TO:<address>\r\n",
            },
            "DATA" if transaction.to.is_empty() => b"503 5.5.1 RCPT first\r\n",
            "DATA" => {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let data = read_data(&mut reader).await?;
                let finished = std::mem::take(&mut transaction);
                store
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(ReceivedMail {
                        from: finished.from.unwrap_or_default(),
                        to: finished.to,
                        data,
                    });
                b"250 2.0.0 OK: queued\r\n"
            }
            "RSET" => {
                transaction = Transaction::default();
                b"250 2.0.0 OK\r\n"
            }
            "NOOP" => b"250 2.0.0 OK\r\n",
            "QUIT" => {
                write.write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 5.5.2 Command not recognized\r\n",
        };
        write.write_all(reply).await?;
    }
}

/// The address in `<...>` after `prefix` (case-insensitive), ignoring parameters after it.
fn path_argument(command: &str, prefix: &str) -> Option<String> {
    let head = command.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = command[prefix.len()..].trim_start();
    let rest = rest.strip_prefix('<')?;
    let end = rest.find('>')?;
    Some(rest[..end].to_owned())
}

/// Reads DATA lines until the lone `.`, undoing dot-stuffing.
async fn read_data<R: AsyncBufReadExt + Unpin>(reader: &mut R) -> std::io::Result<String> {
    let mut data = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line == b".\r\n" || line == b".\n" {
            break;
        }
        let unstuffed = line.strip_prefix(b".").unwrap_or(&line);
        data.extend_from_slice(unstuffed);
    }
    // The line break before the final `.` ends the last line; it is not part of the message
    // as the client formatted it.
    if data.ends_with(b"\r\n") {
        data.truncate(data.len() - 2);
    }
    Ok(String::from_utf8_lossy(&data).into_owned())
}

impl ReceivedMail {
    /// A message that did not come through the sink (an `.eml` file), with an empty envelope.
    pub fn from_raw(data: impl Into<String>) -> Self {
        Self {
            from: String::new(),
            to: Vec::new(),
            data: data.into(),
        }
    }

    /// The header block and the body.
    fn parts(&self) -> (&str, &str) {
        self.data
            .split_once("\r\n\r\n")
            .or_else(|| self.data.split_once("\n\n"))
            .unwrap_or((self.data.as_str(), ""))
    }

    /// The raw (still encoded) value of the first header `name`, unfolded; `None` if absent.
    pub fn header(&self, name: &str) -> Option<String> {
        let (head, _) = self.parts();
        let mut current: Option<String> = None;
        for line in head.lines() {
            if line.starts_with([' ', '\t']) {
                if let Some(value) = current.as_mut() {
                    value.push_str(line);
                }
                continue;
            }
            if current.is_some() {
                break;
            }
            if let Some((field, value)) = line.split_once(':')
                && field.trim().eq_ignore_ascii_case(name)
            {
                current = Some(value.trim_start().to_owned());
            }
        }
        current.map(|v| v.trim_end().to_owned())
    }

    /// The Subject header with RFC 2047 encoded words decoded; panics if there is none.
    pub fn subject(&self) -> String {
        let raw = self
            .header("Subject")
            .unwrap_or_else(|| panic!("no Subject header in:\n{}", self.data));
        decode_rfc2047(&raw)
    }

    /// The plain-text body, decoded from its Content-Transfer-Encoding (base64,
    /// quoted-printable, 7bit or 8bit) as UTF-8, with CRLF line endings turned into `\n`.
    pub fn text_body(&self) -> String {
        let content_type = self.header("Content-Type").unwrap_or_default();
        assert!(
            content_type.to_ascii_lowercase().starts_with("text/plain"),
            "not a plain-text message (Content-Type: {content_type})"
        );
        let encoding = self
            .header("Content-Transfer-Encoding")
            .unwrap_or_else(|| "7bit".to_owned())
            .to_ascii_lowercase();
        let (_, body) = self.parts();
        let bytes = match encoding.as_str() {
            "base64" => STANDARD
                .decode(body.split_whitespace().collect::<String>())
                .unwrap_or_else(|e| panic!("bad base64 body ({e}):\n{body}")),
            "quoted-printable" => decode_quoted_printable(body),
            "7bit" | "8bit" | "binary" => body.as_bytes().to_vec(),
            other => panic!("unknown Content-Transfer-Encoding {other}"),
        };
        String::from_utf8(bytes)
            .unwrap_or_else(|e| panic!("body is not UTF-8: {e}"))
            .replace("\r\n", "\n")
    }
}

/// Decodes quoted-printable text: `=XX` escapes and `=` soft line breaks.
fn decode_quoted_printable(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'=' {
            out.push(bytes[i]);
            i += 1;
        } else if bytes[i + 1..].starts_with(b"\r\n") {
            i += 3;
        } else if bytes[i + 1..].starts_with(b"\n") {
            i += 2;
        } else {
            let hex = text
                .get(i + 1..i + 3)
                .unwrap_or_else(|| panic!("truncated escape at {i} in:\n{text}"));
            let byte = u8::from_str_radix(hex, 16)
                .unwrap_or_else(|e| panic!("bad escape ={hex} ({e}) in:\n{text}"));
            out.push(byte);
            i += 3;
        }
    }
    out
}

/// Decodes a header value with RFC 2047 encoded words (`=?charset?B|Q?text?=`, UTF-8 or
/// ASCII charsets); whitespace between two adjacent encoded words is dropped, as the RFC says.
fn decode_rfc2047(value: &str) -> String {
    let mut out = String::new();
    let mut pending_space = String::new();
    let mut last_was_encoded = false;
    for token in value.split_inclusive([' ', '\t']) {
        let word = token.trim_end_matches([' ', '\t']);
        if !word.is_empty() {
            let decoded = decode_encoded_word(word);
            if !(decoded.is_some() && last_was_encoded) {
                out.push_str(&pending_space);
            }
            pending_space.clear();
            out.push_str(decoded.as_deref().unwrap_or(word));
            last_was_encoded = decoded.is_some();
        }
        pending_space.push_str(&token[word.len()..]);
    }
    out.push_str(&pending_space);
    out
}

/// Decodes one encoded word, or `None` if `word` is not one.
fn decode_encoded_word(word: &str) -> Option<String> {
    let inner = word.strip_prefix("=?")?.strip_suffix("?=")?;
    let mut pieces = inner.splitn(3, '?');
    let charset = pieces.next()?.to_ascii_lowercase();
    let encoding = pieces.next()?.to_ascii_uppercase();
    let text = pieces.next()?;
    assert!(
        matches!(charset.as_str(), "utf-8" | "utf8" | "us-ascii"),
        "unexpected charset {charset} in {word}"
    );
    let bytes = match encoding.as_str() {
        "B" => STANDARD
            .decode(text)
            .unwrap_or_else(|e| panic!("bad base64 in {word}: {e}")),
        "Q" => decode_quoted_printable(&text.replace('_', " ")),
        other => panic!("unknown encoding {other} in {word}"),
    };
    Some(String::from_utf8(bytes).unwrap_or_else(|e| panic!("{word} is not UTF-8: {e}")))
}
