//! The acceptance table as CSV: UTF-8 with a byte-order mark (so that Excel shows Vietnamese
//! correctly), RFC 4180 quoting, CRLF line ends, one line per row. Cells that a spreadsheet
//! would take for a formula (`=`, `+`, `-`, `@`, tab, carriage return first) get a leading
//! apostrophe, so that a comment cannot run code in whoever opens the file.

use std::io::{BufWriter, Write};

use super::{Meta, TableWriter};
use crate::services::acceptance::{Row, Summary, disposition_vi};

/// Column headings.
pub const HEADINGS: [&str; 9] = [
    "STT",
    "Điều, khoản",
    "Tổ chức, cá nhân góp ý",
    "Nhóm",
    "Mã theo dõi",
    "Số ý kiến",
    "Nội dung góp ý",
    "Kết quả",
    "Ý kiến tiếp thu, giải trình",
];

/// A CSV writer.
pub struct CsvWriter<W: Write> {
    out: BufWriter<W>,
}

impl<W: Write> CsvWriter<W> {
    /// Writes to `out`.
    pub fn new(out: W) -> Self {
        Self {
            out: BufWriter::with_capacity(64 * 1024, out),
        }
    }

    fn line<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) -> std::io::Result<()> {
        for (i, cell) in cells.into_iter().enumerate() {
            if i > 0 {
                self.out.write_all(b",")?;
            }
            self.out.write_all(field(cell).as_bytes())?;
        }
        self.out.write_all(b"\r\n")
    }
}

/// One field, guarded and quoted as needed.
pub fn field(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

impl<W: Write> TableWriter<W> for CsvWriter<W> {
    fn begin(&mut self, _meta: &Meta) -> std::io::Result<()> {
        self.out.write_all("\u{FEFF}".as_bytes())?;
        self.line(HEADINGS)
    }

    fn rows(&mut self, rows: &[Row]) -> std::io::Result<()> {
        for row in rows {
            let number = row.number.to_string();
            let count = row.comment_count.to_string();
            self.line([
                number.as_str(),
                &row.clause,
                &row.commenter,
                row.group.label_vi(),
                &row.tracking_code,
                &count,
                &row.content,
                disposition_vi(row.disposition),
                &row.explanation,
            ])?;
        }
        Ok(())
    }

    fn finish(self, _meta: &Meta, _summary: &Summary, _hash: &str) -> std::io::Result<W> {
        self.out.into_inner().map_err(|e| e.into_error())
    }
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("Đường Mậu Thân"), "Đường Mậu Thân");
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("nói \"không\""), "\"nói \"\"không\"\"\"");
        assert_eq!(field("dòng 1\ndòng 2"), "\"dòng 1\ndòng 2\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("-1"), "'-1");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
    }
}
