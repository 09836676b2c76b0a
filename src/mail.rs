//! Outgoing mail: plain-text UTF-8 messages sent through an SMTP server, or written as `.eml`
//! files into `<data_dir>/outbox-mail/` when no server is configured.
//!
//! Recipient addresses and message bodies are personal data: they are never logged, and errors
//! returned by the SMTP server are reduced to their status code before they reach a log.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::anyhow;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::config::{Settings, SmtpSettings, SmtpTls};
use crate::error::{Error, FieldErrors, Result};

/// Time allowed for connecting to the SMTP server and for each exchange with it.
const SMTP_TIMEOUT: Duration = Duration::from_secs(10);

/// One plain-text message to one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// Recipient address (`ten@vidu.vn`).
    pub to: String,
    /// Recipient's display name, if known.
    pub to_name: Option<String>,
    /// Subject line (any UTF-8; encoded as RFC 2047 where needed).
    pub subject: String,
    /// Plain-text body (any UTF-8; line endings become CRLF).
    pub text: String,
}

/// Sends [`OutgoingMail`]; cheap to clone (the transport and its connection pool are shared).
#[derive(Clone)]
pub struct Mailer {
    inner: Arc<Inner>,
}

struct Inner {
    from: Mailbox,
    transport: Transport,
    description: String,
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer")
            .field("to", &self.inner.description)
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// Builds the mailer that `settings` describe: SMTP when `settings.smtp` is set, otherwise
    /// `.eml` files in `settings.mail_dir` (created if missing).
    ///
    /// With SMTP, this must run inside a tokio runtime (the connection pool starts a task).
    pub fn from_settings(settings: &Settings) -> Result<Self> {
        let from: Mailbox = settings.mail_from.parse().map_err(|e| {
            Error::Internal(anyhow!(
                "mail_from `{}` is not a mailbox: {e}",
                settings.mail_from
            ))
        })?;
        let (transport, description) = match &settings.smtp {
            Some(smtp) => (Transport::Smtp(smtp_transport(smtp)?), describe_smtp(smtp)),
            None => (
                Transport::Files(file_transport(settings.mail_dir.clone())?),
                format!(
                    "files in {} (no SMTP server configured)",
                    settings.mail_dir.display()
                ),
            ),
        };
        Ok(Self {
            inner: Arc::new(Inner {
                from,
                transport,
                description,
            }),
        })
    }

    /// Where mail goes, for the start-up banner: `SMTP host:port (starttls)` or
    /// `files in <dir> (no SMTP server configured)`.
    pub fn describe(&self) -> String {
        self.inner.description.clone()
    }

    /// Sends one message.
    ///
    /// An invalid recipient address gives [`Error::Invalid`] on the field `email`; a failure of
    /// the SMTP server or of the file system gives [`Error::Internal`].
    pub async fn send(&self, mail: &OutgoingMail) -> Result<()> {
        let message = build_message(&self.inner.from, mail)?;
        match &self.inner.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message).await.map_err(|e| {
                    Error::Internal(anyhow!("sending mail by SMTP failed: {}", smtp_error(&e)))
                })?;
                tracing::debug!(subject = %mail.subject, via = "smtp", "mail sent");
            }
            Transport::Files(files) => {
                let id = files
                    .send(message)
                    .await
                    .map_err(|e| Error::Internal(anyhow!("writing mail to a file failed: {e}")))?;
                tracing::debug!(subject = %mail.subject, via = "file", file = %id, "mail written");
            }
        }
        Ok(())
    }
}

/// The SMTP transport for `smtp`, with a connection pool and [`SMTP_TIMEOUT`].
fn smtp_transport(smtp: &SmtpSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>> {
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(Error::Internal(anyhow!(
            "the SMTP mailer must be built inside a tokio runtime"
        )));
    }
    let tls_error = |e: lettre::transport::smtp::Error| {
        Error::Internal(anyhow!(
            "TLS set-up for SMTP host `{}` failed: {e}",
            smtp.host
        ))
    };
    let builder = match smtp.tls {
        SmtpTls::StartTls => {
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host).map_err(tls_error)?
        }
        SmtpTls::Tls => {
            AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host).map_err(tls_error)?
        }
        SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host),
    };
    let mut builder = builder.port(smtp.port).timeout(Some(SMTP_TIMEOUT));
    if let Some(username) = &smtp.username {
        let password = smtp
            .password
            .as_ref()
            .map(|p| p.expose_secret().to_owned())
            .unwrap_or_default();
        builder = builder.credentials(Credentials::new(username.clone(), password));
    }
    Ok(builder.build())
}

/// The file transport writing into `dir`, which is created if missing.
fn file_transport(dir: PathBuf) -> Result<AsyncFileTransport<Tokio1Executor>> {
    std::fs::create_dir_all(&dir).map_err(|e| {
        Error::Internal(anyhow!(
            "cannot create the mail directory {}: {e}",
            dir.display()
        ))
    })?;
    Ok(AsyncFileTransport::new(dir))
}

fn describe_smtp(smtp: &SmtpSettings) -> String {
    let tls = match smtp.tls {
        SmtpTls::StartTls => "starttls",
        SmtpTls::Tls => "tls",
        SmtpTls::None => "none",
    };
    format!("SMTP {}:{} ({tls})", smtp.host, smtp.port)
}

/// Describes an SMTP failure without the server's text, which may quote the recipient.
fn smtp_error(e: &lettre::transport::smtp::Error) -> String {
    match e.status() {
        Some(code) if e.is_permanent() => format!("permanent error ({code})"),
        Some(code) => format!("transient error ({code})"),
        None if e.is_timeout() => "timed out".to_owned(),
        None => e.to_string(),
    }
}

/// Builds the message: From, To, Subject, Date, Message-ID and a plain-text UTF-8 body.
fn build_message(from: &Mailbox, mail: &OutgoingMail) -> Result<Message> {
    let address: Address = mail.to.trim().parse().map_err(|_| {
        let mut errors = FieldErrors::default();
        errors.push(
            "email",
            "invalid_format",
            "Enter an email address like ten@vidu.vn",
        );
        Error::Invalid(errors)
    })?;
    let name = mail
        .to_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(ToOwned::to_owned);
    let message_id = format!(
        "<{}@{}>",
        uuid::Uuid::now_v7().simple(),
        from.email.domain()
    );
    Message::builder()
        .from(from.clone())
        .to(Mailbox::new(name, address))
        .subject(mail.subject.clone())
        .date_now()
        .message_id(Some(message_id))
        .header(ContentType::TEXT_PLAIN)
        .body(mail.text.clone())
        .map_err(|e| Error::Internal(anyhow!("cannot build a mail message: {e}")))
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    use super::*;

    const SUBJECT: &str = "Xác nhận địa chỉ email của bạn";
    const TEXT: &str = "Xin chào Nguyễn Thị Ánh,\n\nVui lòng bấm vào liên kết để xác nhận địa chỉ \
                        email của bạn. Liên kết có hiệu lực trong 24 giờ.\n\nTrân trọng,\nGóp ý";

    fn mail() -> OutgoingMail {
        OutgoingMail {
            to: "anh.nguyen@vidu.vn".to_owned(),
            to_name: Some("Nguyễn Thị Ánh".to_owned()),
            subject: SUBJECT.to_owned(),
            text: TEXT.to_owned(),
        }
    }

    fn from() -> Mailbox {
        "gopy <no-reply@gopy.local>".parse().unwrap()
    }

    /// Splits a formatted message into unfolded headers and the raw body.
    fn split(raw: &str) -> (Vec<(String, String)>, String) {
        let (head, body) = raw.split_once("\r\n\r\n").unwrap();
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                headers.last_mut().unwrap().1.push_str(line);
            } else {
                let (name, value) = line.split_once(':').unwrap();
                headers.push((name.to_owned(), value.trim_start().to_owned()));
            }
        }
        (headers, body.to_owned())
    }

    fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {name} header"))
    }

    /// Decodes RFC 2047 `=?utf-8?b?...?=` words (the only kind lettre writes); whitespace
    /// between two encoded words is dropped.
    fn decode_words(value: &str) -> String {
        let mut out = String::new();
        let mut pending_space = String::new();
        let mut last_was_encoded = false;
        for token in value.split_inclusive([' ', '\t']) {
            let word = token.trim_end_matches([' ', '\t']);
            if !word.is_empty() {
                let decoded = word
                    .strip_prefix("=?utf-8?b?")
                    .and_then(|w| w.strip_suffix("?="))
                    .map(|b64| String::from_utf8(STANDARD.decode(b64).unwrap()).unwrap());
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

    fn decode_body(encoding: &str, body: &str) -> String {
        let bytes = match encoding {
            "base64" => STANDARD
                .decode(body.split_whitespace().collect::<String>())
                .unwrap(),
            "quoted-printable" => {
                let mut out = Vec::new();
                let bytes = body.as_bytes();
                let mut i = 0;
                while i < bytes.len() {
                    match bytes[i] {
                        b'=' if bytes[i + 1..].starts_with(b"\r\n") => i += 3,
                        b'=' => {
                            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                            out.push(u8::from_str_radix(hex, 16).unwrap());
                            i += 3;
                        }
                        b => {
                            out.push(b);
                            i += 1;
                        }
                    }
                }
                out
            }
            _ => body.as_bytes().to_vec(),
        };
        String::from_utf8(bytes).unwrap().replace("\r\n", "\n")
    }

    #[test]
    fn vietnamese_subject_and_body_survive_encoding() {
        let message = build_message(&from(), &mail()).unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        assert!(raw.is_ascii(), "the formatted message is 7-bit: {raw}");
        assert!(
            raw.lines().all(|l| l.len() <= 78),
            "no line is longer than 78 characters: {raw}"
        );
        let (headers, body) = split(&raw);

        let subject = header(&headers, "Subject");
        assert!(
            subject.contains("=?utf-8?b?"),
            "RFC 2047 subject: {subject}"
        );
        assert_eq!(decode_words(subject), SUBJECT);

        let to = header(&headers, "To");
        assert!(to.ends_with("<anh.nguyen@vidu.vn>"), "To: {to}");
        assert_eq!(
            decode_words(to.trim_end_matches("<anh.nguyen@vidu.vn>").trim_end()),
            "Nguyễn Thị Ánh"
        );
        assert_eq!(header(&headers, "From"), "gopy <no-reply@gopy.local>");
        assert_eq!(
            header(&headers, "Content-Type"),
            "text/plain; charset=utf-8"
        );
        let message_id = header(&headers, "Message-ID");
        assert!(
            message_id.starts_with('<') && message_id.ends_with("@gopy.local>"),
            "Message-ID: {message_id}"
        );
        assert!(!header(&headers, "Date").is_empty());

        let encoding = header(&headers, "Content-Transfer-Encoding");
        assert!(
            matches!(encoding, "base64" | "quoted-printable"),
            "encoding: {encoding}"
        );
        assert_eq!(decode_body(encoding, &body), TEXT);
    }

    #[test]
    fn ascii_subject_is_not_encoded() {
        let mail = OutgoingMail {
            subject: "Welcome to gopy".to_owned(),
            to_name: None,
            text: "Hello".to_owned(),
            ..mail()
        };
        let raw = String::from_utf8(build_message(&from(), &mail).unwrap().formatted()).unwrap();
        let (headers, body) = split(&raw);
        assert_eq!(header(&headers, "Subject"), "Welcome to gopy");
        assert_eq!(header(&headers, "To"), "anh.nguyen@vidu.vn");
        assert_eq!(header(&headers, "Content-Transfer-Encoding"), "7bit");
        assert_eq!(body, "Hello");
    }

    #[test]
    fn line_breaks_in_subject_cannot_inject_headers() {
        let mail = OutgoingMail {
            subject: "Xin chào\r\nBcc: ke-gian@vidu.vn".to_owned(),
            ..mail()
        };
        let raw = String::from_utf8(build_message(&from(), &mail).unwrap().formatted()).unwrap();
        let (headers, _) = split(&raw);
        assert!(headers.iter().all(|(n, _)| !n.eq_ignore_ascii_case("Bcc")));
        assert_eq!(decode_words(header(&headers, "Subject")), mail.subject);
    }

    #[test]
    fn invalid_recipient_is_a_field_error() {
        let mail = OutgoingMail {
            to: "không phải email".to_owned(),
            ..mail()
        };
        match build_message(&from(), &mail) {
            Err(Error::Invalid(errors)) => {
                assert_eq!(errors.0.len(), 1);
                assert_eq!(errors.0[0].field, "email");
                assert_eq!(errors.0[0].code, "invalid_format");
            }
            other => panic!("expected Error::Invalid, got {other:?}"),
        }
    }

    #[test]
    fn describe_names_the_destination() {
        let smtp = SmtpSettings {
            host: "smtp.example.vn".to_owned(),
            port: 587,
            tls: SmtpTls::StartTls,
            username: None,
            password: None,
        };
        assert_eq!(describe_smtp(&smtp), "SMTP smtp.example.vn:587 (starttls)");
    }
}
