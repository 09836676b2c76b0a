//! The acceptance table as an XLSX workbook: the table on a first sheet (frozen heading row,
//! wrapped text, Times New Roman), the summary and the rows without a disposition on a second.
//!
//! The package is written entry by entry through a ZIP writer; the table's sheet is streamed
//! row by row with inline strings, so no shared-string table has to be held in memory.

use std::io::{Seek, Write};

use zip::ZipWriter;
use zip::write::SimpleFileOptions;

use super::xml::escape;
use super::{Meta, TableWriter};
use crate::services::acceptance::{Group, Row, Summary, Tally, disposition_vi};

/// The longest text a cell holds (Excel's limit).
const CELL_LIMIT: usize = 32_767;

/// Heading rows above the table's column headings.
const TITLE_ROWS: u32 = 3;

/// An XLSX writer.
pub struct XlsxWriter<W: Write + Seek> {
    zip: ZipWriter<W>,
    next_row: u32,
}

fn options() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated)
}

fn io(e: zip::result::ZipError) -> std::io::Error {
    std::io::Error::other(e)
}

fn column(index: usize) -> char {
    char::from(b'A' + u8::try_from(index).unwrap_or(0))
}

fn text_cell(reference: &str, style: u8, value: &str) -> String {
    let value = if value.len() > CELL_LIMIT {
        let mut end = CELL_LIMIT - 3;
        while !value.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}...", &value[..end])
    } else {
        value.to_owned()
    };
    format!(
        r#"<c r="{reference}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>"#,
        escape(&value)
    )
}

fn number_cell(reference: &str, style: u8, value: u64) -> String {
    format!(r#"<c r="{reference}" s="{style}"><v>{value}</v></c>"#)
}

/// A row of cells: `Ok(text)` or `Err(number)`.
enum Cell<'a> {
    Text(&'a str),
    Number(u64),
}

fn row_xml(number: u32, style: u8, cells: &[Cell<'_>]) -> String {
    let mut xml = format!(r#"<row r="{number}">"#);
    for (i, cell) in cells.iter().enumerate() {
        let reference = format!("{}{number}", column(i));
        xml.push_str(&match cell {
            Cell::Text(t) => text_cell(&reference, style, t),
            Cell::Number(n) => number_cell(&reference, style, *n),
        });
    }
    xml.push_str("</row>");
    xml
}

impl<W: Write + Seek> XlsxWriter<W> {
    /// Writes to `out`.
    pub fn new(out: W) -> Self {
        Self {
            zip: ZipWriter::new(out),
            next_row: 1,
        }
    }

    fn entry(&mut self, name: &str, content: &str) -> std::io::Result<()> {
        self.zip.start_file(name, options()).map_err(io)?;
        self.zip.write_all(content.as_bytes())
    }

    fn put(&mut self, style: u8, cells: &[Cell<'_>]) -> std::io::Result<()> {
        let xml = row_xml(self.next_row, style, cells);
        self.next_row += 1;
        self.zip.write_all(xml.as_bytes())
    }
}

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="12"/><name val="Times New Roman"/></font><font><b/><sz val="12"/><name val="Times New Roman"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border><left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf><xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs></styleSheet>"#;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;

const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Bảng tổng hợp" sheetId="1" r:id="rId1"/><sheet name="Tóm tắt" sheetId="2" r:id="rId2"/></sheets></workbook>"#;

const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

const SHEET_START: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;

/// Column headings of the table's sheet.
pub const HEADINGS: [&str; 9] = super::csv::HEADINGS;

fn tally_cells<'a>(label: &'a str, tally: &Tally) -> Vec<Cell<'a>> {
    vec![
        Cell::Text(label),
        Cell::Number(tally.rows),
        Cell::Number(tally.comments),
        Cell::Number(tally.accepted),
        Cell::Number(tally.partially_accepted),
        Cell::Number(tally.not_accepted),
        Cell::Number(tally.explained),
        Cell::Number(tally.without_disposition),
    ]
}

impl<W: Write + Seek> TableWriter<W> for XlsxWriter<W> {
    fn begin(&mut self, meta: &Meta) -> std::io::Result<()> {
        self.entry("[Content_Types].xml", CONTENT_TYPES)?;
        self.entry("_rels/.rels", ROOT_RELS)?;
        self.entry("xl/workbook.xml", WORKBOOK)?;
        self.entry("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)?;
        self.entry("xl/styles.xml", STYLES)?;
        self.zip
            .start_file("xl/worksheets/sheet1.xml", options())
            .map_err(io)?;
        let frozen = TITLE_ROWS + 1;
        let head = format!(
            r#"{SHEET_START}<sheetViews><sheetView workbookViewId="0"><pane ySplit="{frozen}" topLeftCell="A{}" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><cols><col min="1" max="1" width="6" customWidth="1"/><col min="2" max="2" width="16" customWidth="1"/><col min="3" max="3" width="26" customWidth="1"/><col min="4" max="4" width="14" customWidth="1"/><col min="5" max="5" width="14" customWidth="1"/><col min="6" max="6" width="9" customWidth="1"/><col min="7" max="7" width="60" customWidth="1"/><col min="8" max="8" width="16" customWidth="1"/><col min="9" max="9" width="50" customWidth="1"/></cols><sheetData>"#,
            frozen + 1
        );
        self.zip.write_all(head.as_bytes())?;
        let version = match &meta.head.sign_off {
            Some(s) => format!(
                "Phiên bản {} đã ký ngày {}; mã kiểm tra (SHA-256): {}",
                s.version,
                crate::domain::time::date_vn(s.signed_at),
                s.content_hash
            ),
            None => "Bản tổng hợp chưa ký".to_owned(),
        };
        let title = "BẢNG TỔNG HỢP, TIẾP THU, GIẢI TRÌNH Ý KIẾN";
        let subject = format!("{} — {}", meta.head.title, meta.head.agency_name);
        self.put(3, &[Cell::Text(title)])?;
        self.put(0, &[Cell::Text(&subject)])?;
        self.put(0, &[Cell::Text(&version)])?;
        let headings: Vec<Cell<'_>> = HEADINGS.iter().map(|h| Cell::Text(h)).collect();
        self.put(1, &headings)
    }

    fn rows(&mut self, rows: &[Row]) -> std::io::Result<()> {
        for row in rows {
            self.put(
                2,
                &[
                    Cell::Number(row.number),
                    Cell::Text(&row.clause),
                    Cell::Text(&row.commenter),
                    Cell::Text(row.group.label_vi()),
                    Cell::Text(&row.tracking_code),
                    Cell::Number(row.comment_count),
                    Cell::Text(&row.content),
                    Cell::Text(disposition_vi(row.disposition)),
                    Cell::Text(&row.explanation),
                ],
            )?;
        }
        Ok(())
    }

    fn finish(mut self, meta: &Meta, summary: &Summary, hash: &str) -> std::io::Result<W> {
        self.zip.write_all(b"</sheetData></worksheet>")?;
        self.zip
            .start_file("xl/worksheets/sheet2.xml", options())
            .map_err(io)?;
        self.next_row = 1;
        self.zip.write_all(SHEET_START.as_bytes())?;
        self.zip.write_all(br#"<cols><col min="1" max="1" width="28" customWidth="1"/><col min="2" max="8" width="14" customWidth="1"/></cols><sheetData>"#)?;
        self.put(3, &[Cell::Text("TÓM TẮT KẾT QUẢ TIẾP THU, GIẢI TRÌNH")])?;
        self.put(0, &[Cell::Text(&meta.head.title)])?;
        self.put(
            1,
            &[
                Cell::Text("Nhóm"),
                Cell::Text("Số dòng"),
                Cell::Text("Số ý kiến"),
                Cell::Text("Tiếp thu"),
                Cell::Text("Tiếp thu một phần"),
                Cell::Text("Không tiếp thu"),
                Cell::Text("Giải trình"),
                Cell::Text("Chưa có ý kiến"),
            ],
        )?;
        for (group, tally) in &summary.by_group {
            let label = Group::label_vi(*group);
            self.put(2, &tally_cells(label, tally))?;
        }
        self.put(1, &tally_cells("Tổng cộng", &summary.total))?;
        let pending = format!(
            "Ý kiến đang chờ kiểm duyệt (chưa vào bảng): {}",
            meta.head.pending_moderation
        );
        self.put(0, &[Cell::Text(&pending)])?;
        let check = format!("Mã kiểm tra nội dung (SHA-256): {hash}");
        self.put(0, &[Cell::Text(&check)])?;
        self.put(
            3,
            &[Cell::Text("Ý KIẾN CHƯA CÓ Ý KIẾN TIẾP THU, GIẢI TRÌNH")],
        )?;
        self.put(
            1,
            &[
                Cell::Text("STT"),
                Cell::Text("Điều, khoản"),
                Cell::Text("Mã theo dõi"),
            ],
        )?;
        for item in &summary.undisposed {
            self.put(
                2,
                &[
                    Cell::Number(item.number),
                    Cell::Text(&item.clause),
                    Cell::Text(&item.tracking_code),
                ],
            )?;
        }
        self.zip.write_all(b"</sheetData></worksheet>")?;
        self.zip.finish().map_err(io)
    }
}
