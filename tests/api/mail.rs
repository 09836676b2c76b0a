//! Outgoing mail: through a real SMTP conversation with the test sink, into `.eml` files when no
//! server is configured, and the failures a caller must handle. No database is needed.

use std::path::Path;
use std::time::Duration;

use gopy::config::{Settings, SmtpSettings, SmtpTls};
use gopy::error::Error;
use gopy::mail::{Mailer, OutgoingMail};

use crate::helpers::smtp::{ReceivedMail, SmtpSink};

const SUBJECT: &str = "Xác nhận địa chỉ email của bạn";
const TEXT: &str = "Xin chào Trần Văn Đức,\n\n\
    Vui lòng mở liên kết sau để xác nhận địa chỉ email của bạn:\n\
    https://gopy.local/xac-nhan?ma=abc123\n\n\
    Nếu bạn không đăng ký tài khoản trên Góp ý, hãy bỏ qua thư này.\n\n\
    Trân trọng,\nBan quản trị Góp ý";
const WAIT: Duration = Duration::from_secs(10);

/// Settings whose mail goes to files in `dir` (no database is opened).
fn file_settings(dir: &Path) -> Settings {
    let url = format!("sqlite://{}?mode=rwc", dir.join("gopy.db").display());
    Settings::for_tests(dir, &url)
}

/// Settings whose mail goes to an unencrypted SMTP server on 127.0.0.1:`port`.
fn smtp_settings(dir: &Path, port: u16) -> Settings {
    let mut settings = file_settings(dir);
    settings.smtp = Some(SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        tls: SmtpTls::None,
        username: None,
        password: None,
    });
    settings
}

fn confirmation(to: &str) -> OutgoingMail {
    OutgoingMail {
        to: to.to_owned(),
        to_name: Some("Trần Văn Đức".to_owned()),
        subject: SUBJECT.to_owned(),
        text: TEXT.to_owned(),
    }
}

/// Files in `dir` (none if it does not exist).
fn files_in(dir: &Path) -> Vec<std::path::PathBuf> {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    }
}

#[tokio::test]
async fn smtp_delivers_vietnamese_subject_and_body() {
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().unwrap();
    let settings = smtp_settings(dir.path(), sink.port());
    let mailer = Mailer::from_settings(&settings).unwrap();
    assert_eq!(
        mailer.describe(),
        format!("SMTP 127.0.0.1:{} (none)", sink.port())
    );

    mailer
        .send(&confirmation("duc.tran@vidu.vn"))
        .await
        .unwrap();

    let received = sink.wait_for("duc.tran@vidu.vn", WAIT).await;
    assert_eq!(received.from, "no-reply@gopy.local");
    assert_eq!(received.to, vec!["duc.tran@vidu.vn".to_owned()]);
    assert_eq!(received.subject(), SUBJECT);
    assert_eq!(received.text_body(), TEXT);
    let to = received.header("To").unwrap();
    assert!(to.ends_with("<duc.tran@vidu.vn>"), "To: {to}");
    assert!(received.data.is_ascii(), "headers and body are encoded");
    assert!(received.header("Message-ID").is_some());
    assert!(received.header("Date").is_some());
    assert_eq!(sink.messages().len(), 1);
    assert!(
        files_in(&settings.mail_dir).is_empty(),
        "nothing is written to files when SMTP is configured"
    );
}

#[tokio::test]
async fn smtp_delivers_concurrent_messages_to_each_recipient() {
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mailer = Mailer::from_settings(&smtp_settings(dir.path(), sink.port())).unwrap();
    let recipients = ["an@vidu.vn", "binh@vidu.vn", "chi@vidu.vn"];

    let sends = recipients.map(|to| {
        let mailer = mailer.clone();
        tokio::spawn(async move { mailer.send(&confirmation(to)).await })
    });
    for send in sends {
        send.await.unwrap().unwrap();
    }

    for to in recipients {
        let received = sink.wait_for(to, WAIT).await;
        assert_eq!(received.to, vec![to.to_owned()]);
        assert_eq!(received.subject(), SUBJECT);
    }
    assert_eq!(sink.messages().len(), recipients.len());
}

#[tokio::test]
async fn smtp_keeps_leading_dots_and_quoted_printable_bodies() {
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mailer = Mailer::from_settings(&smtp_settings(dir.path(), sink.port())).unwrap();
    // Mostly ASCII, so lettre chooses quoted-printable; lines starting with `.` are
    // dot-stuffed on the wire and must come back unchanged.
    let text = "Hello Đức,\n.\n..two dots\n.hidden line\n\nThe consultation closes on 30/06.\n.";
    let mail = OutgoingMail {
        to: "duc@vidu.vn".to_owned(),
        to_name: None,
        subject: "Reminder: consultation closes soon".to_owned(),
        text: text.to_owned(),
    };

    mailer.send(&mail).await.unwrap();

    let received = sink.wait_for("duc@vidu.vn", WAIT).await;
    assert_eq!(
        received.header("Content-Transfer-Encoding").as_deref(),
        Some("quoted-printable")
    );
    assert_eq!(received.subject(), "Reminder: consultation closes soon");
    assert_eq!(received.header("To").as_deref(), Some("duc@vidu.vn"));
    assert_eq!(received.text_body(), text);
}

#[tokio::test]
async fn without_smtp_mail_is_written_to_one_eml_file() {
    let dir = tempfile::tempdir().unwrap();
    let settings = file_settings(dir.path());
    assert!(settings.smtp.is_none());
    let mailer = Mailer::from_settings(&settings).unwrap();
    assert!(settings.mail_dir.is_dir(), "the mail directory is created");
    assert_eq!(
        mailer.describe(),
        format!(
            "files in {} (no SMTP server configured)",
            settings.mail_dir.display()
        )
    );

    mailer
        .send(&confirmation("duc.tran@vidu.vn"))
        .await
        .unwrap();

    let files = files_in(&settings.mail_dir);
    assert_eq!(files.len(), 1, "files: {files:?}");
    assert_eq!(files[0].extension().and_then(|e| e.to_str()), Some("eml"));
    let written = ReceivedMail::from_raw(std::fs::read_to_string(&files[0]).unwrap());
    assert_eq!(written.subject(), SUBJECT);
    assert_eq!(written.text_body(), TEXT);
    let to = written.header("To").unwrap();
    assert!(to.ends_with("<duc.tran@vidu.vn>"), "To: {to}");
}

#[tokio::test]
async fn invalid_recipient_is_rejected_before_sending() {
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().unwrap();
    let file_mailer = Mailer::from_settings(&file_settings(dir.path())).unwrap();
    let smtp_mailer = Mailer::from_settings(&smtp_settings(dir.path(), sink.port())).unwrap();

    for mailer in [&file_mailer, &smtp_mailer] {
        let result = mailer.send(&confirmation("không phải email")).await;
        match result {
            Err(Error::Invalid(errors)) => {
                assert_eq!(errors.0.len(), 1, "{errors:?}");
                assert_eq!(errors.0[0].field, "email");
            }
            other => panic!("expected Error::Invalid, got {other:?}"),
        }
    }
    assert!(files_in(&file_settings(dir.path()).mail_dir).is_empty());
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn smtp_server_down_is_an_error_not_a_panic() {
    // A port that was free a moment ago and has nothing listening on it now.
    let port = {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap();
        listener.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let mailer = Mailer::from_settings(&smtp_settings(dir.path(), port)).unwrap();

    let result = tokio::time::timeout(
        Duration::from_secs(15),
        mailer.send(&confirmation("duc.tran@vidu.vn")),
    )
    .await
    .expect("send gives up within the SMTP timeout");

    match result {
        Err(error @ Error::Internal(_)) => {
            let text = error.to_string();
            assert!(
                !text.contains("duc.tran@vidu.vn"),
                "the error does not name the recipient: {text}"
            );
        }
        other => panic!("expected Error::Internal, got {other:?}"),
    }
}
