//! The acceptance table as a DOCX document in the layout of a Vietnamese administrative
//! document (Decree 30/2020/NĐ-CP): the issuing body and the national heading side by side,
//! the place and date, the title, then the numbered table (STT | Điều, khoản | Tổ chức, cá nhân
//! góp ý | Nội dung góp ý | Ý kiến tiếp thu, giải trình) with its heading row repeated on every
//! page, the summary, the rows still without a disposition and the content hash. Times New
//! Roman, A4 landscape.
//!
//! `word/document.xml` is streamed row by row through a ZIP writer.

use std::io::{Seek, Write};

use zip::ZipWriter;
use zip::write::SimpleFileOptions;

use super::xml::escape;
use super::{Meta, TableWriter, vietnamese_date};
use crate::services::acceptance::{Row, Summary, Tally, disposition_vi};

/// Column headings of the table.
pub const HEADINGS: [&str; 5] = [
    "STT",
    "Điều, khoản",
    "Tổ chức, cá nhân góp ý",
    "Nội dung góp ý",
    "Ý kiến tiếp thu, giải trình",
];

/// Column widths in twentieths of a point, filling A4 landscape between its margins.
const WIDTHS: [u32; 5] = [700, 1800, 2600, 4700, 4200];

/// A DOCX writer.
pub struct DocxWriter<W: Write + Seek> {
    zip: ZipWriter<W>,
}

fn options() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated)
}

fn io(e: zip::result::ZipError) -> std::io::Error {
    std::io::Error::other(e)
}

/// How a run of text looks.
#[derive(Debug, Clone, Copy, Default)]
struct Look {
    bold: bool,
    italic: bool,
    underline: bool,
    /// Half-points; 0 keeps the document's 13 pt.
    size: u32,
    center: bool,
}

const BOLD: Look = Look {
    bold: true,
    italic: false,
    underline: false,
    size: 0,
    center: false,
};

fn run(text: &str, look: Look) -> String {
    let mut props = String::new();
    if look.bold {
        props.push_str("<w:b/>");
    }
    if look.italic {
        props.push_str("<w:i/>");
    }
    if look.underline {
        props.push_str(r#"<w:u w:val="single"/>"#);
    }
    if look.size > 0 {
        props.push_str(&format!(
            r#"<w:sz w:val="{0}"/><w:szCs w:val="{0}"/>"#,
            look.size
        ));
    }
    let mut out = String::new();
    for (i, line) in text.split('\n').enumerate() {
        out.push_str("<w:r>");
        if !props.is_empty() {
            out.push_str(&format!("<w:rPr>{props}</w:rPr>"));
        }
        if i > 0 {
            out.push_str("<w:br/>");
        }
        out.push_str(&format!(
            r#"<w:t xml:space="preserve">{}</w:t></w:r>"#,
            escape(line)
        ));
    }
    out
}

fn paragraph(runs: &str, look: Look) -> String {
    let justify = if look.center {
        r#"<w:jc w:val="center"/>"#
    } else {
        ""
    };
    format!(r#"<w:p><w:pPr><w:spacing w:before="0" w:after="60"/>{justify}</w:pPr>{runs}</w:p>"#)
}

fn text(value: &str, look: Look) -> String {
    paragraph(&run(value, look), look)
}

fn cell(width: u32, content: &str) -> String {
    format!(r#"<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{content}</w:tc>"#)
}

fn grid(widths: &[u32]) -> String {
    let mut out = String::from("<w:tblGrid>");
    for w in widths {
        out.push_str(&format!(r#"<w:gridCol w:w="{w}"/>"#));
    }
    out.push_str("</w:tblGrid>");
    out
}

const BORDERS: &str = r#"<w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/></w:tblBorders>"#;

fn table_start(widths: &[u32]) -> String {
    let total: u32 = widths.iter().sum();
    format!(
        r#"<w:tbl><w:tblPr><w:tblW w:w="{total}" w:type="dxa"/>{BORDERS}<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr>{}"#,
        grid(widths)
    )
}

fn heading_row(widths: &[u32], headings: &[&str]) -> String {
    let mut out = String::from(r#"<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>"#);
    let look = Look {
        bold: true,
        size: 24,
        center: true,
        ..Look::default()
    };
    for (w, h) in widths.iter().zip(headings) {
        out.push_str(&cell(*w, &text(h, look)));
    }
    out.push_str("</w:tr>");
    out
}

const SMALL: Look = Look {
    bold: false,
    italic: false,
    underline: false,
    size: 24,
    center: false,
};

fn tally_row(widths: &[u32], label: &str, tally: &Tally, bold: bool) -> String {
    let look = Look { bold, ..SMALL };
    let numbers = [
        tally.rows,
        tally.comments,
        tally.accepted,
        tally.partially_accepted,
        tally.not_accepted,
        tally.explained,
        tally.without_disposition,
    ];
    let mut out = String::from("<w:tr>");
    out.push_str(&cell(widths[0], &text(label, look)));
    for (w, n) in widths[1..].iter().zip(numbers) {
        out.push_str(&cell(
            *w,
            &text(
                &n.to_string(),
                Look {
                    center: true,
                    ..look
                },
            ),
        ));
    }
    out.push_str("</w:tr>");
    out
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman"/><w:sz w:val="26"/><w:szCs w:val="26"/><w:lang w:val="vi-VN" w:eastAsia="en-US" w:bidi="ar-SA"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style><w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style></w:styles>"#;

const DOCUMENT_START: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>"#;

/// A4 landscape; margins 2 cm, 3 cm on the binding side.
const SECTION: &str = r#"<w:sectPr><w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/><w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1701" w:header="720" w:footer="720" w:gutter="0"/></w:sectPr>"#;

impl<W: Write + Seek> DocxWriter<W> {
    /// Writes to `out`.
    pub fn new(out: W) -> Self {
        Self {
            zip: ZipWriter::new(out),
        }
    }

    fn entry(&mut self, name: &str, content: &str) -> std::io::Result<()> {
        self.zip.start_file(name, options()).map_err(io)?;
        self.zip.write_all(content.as_bytes())
    }

    fn put(&mut self, xml: &str) -> std::io::Result<()> {
        self.zip.write_all(xml.as_bytes())
    }
}

/// The heading: issuing body on the left, the national heading on the right, the place and
/// date under it.
fn national_heading(meta: &Meta) -> String {
    let date = meta
        .head
        .sign_off
        .as_ref()
        .map_or(meta.made_at, |s| s.signed_at);
    let center = Look {
        center: true,
        ..Look::default()
    };
    let left = format!(
        "{}{}",
        text(
            &meta.head.agency_name.to_uppercase(),
            Look {
                bold: true,
                size: 24,
                ..center
            }
        ),
        text("_______", center)
    );
    let right = format!(
        "{}{}{}",
        text(
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            Look {
                bold: true,
                size: 24,
                ..center
            }
        ),
        text(
            "Độc lập - Tự do - Hạnh phúc",
            Look {
                bold: true,
                underline: true,
                ..center
            }
        ),
        text(
            &format!("Cần Thơ, {}", vietnamese_date(date)),
            Look {
                italic: true,
                ..center
            }
        )
    );
    let widths = [5600, 8400];
    format!(
        r#"<w:tbl><w:tblPr><w:tblW w:w="14000" w:type="dxa"/><w:tblLayout w:type="fixed"/></w:tblPr>{}<w:tr>{}{}</w:tr></w:tbl>"#,
        grid(&widths),
        cell(widths[0], &left),
        cell(widths[1], &right)
    )
}

impl<W: Write + Seek> TableWriter<W> for DocxWriter<W> {
    fn begin(&mut self, meta: &Meta) -> std::io::Result<()> {
        self.entry("[Content_Types].xml", CONTENT_TYPES)?;
        self.entry("_rels/.rels", ROOT_RELS)?;
        self.entry("word/_rels/document.xml.rels", DOCUMENT_RELS)?;
        self.entry("word/styles.xml", STYLES)?;
        self.zip
            .start_file("word/document.xml", options())
            .map_err(io)?;
        let center_bold = Look {
            bold: true,
            center: true,
            ..Look::default()
        };
        let mut xml = String::from(DOCUMENT_START);
        xml.push_str(&national_heading(meta));
        xml.push_str(&text("", Look::default()));
        xml.push_str(&text(
            "BẢNG TỔNG HỢP, TIẾP THU, GIẢI TRÌNH Ý KIẾN",
            Look {
                size: 28,
                ..center_bold
            },
        ));
        xml.push_str(&text(
            &format!("Góp ý đối với: {}", meta.head.title),
            center_bold,
        ));
        let version = match &meta.head.sign_off {
            Some(s) => format!(
                "Phiên bản {}, ký duyệt ngày {} — mã kiểm tra (SHA-256): {}",
                s.version,
                crate::domain::time::date_vn(s.signed_at),
                s.content_hash
            ),
            None => "Bản tổng hợp chưa ký duyệt".to_owned(),
        };
        xml.push_str(&text(
            &version,
            Look {
                italic: true,
                center: true,
                size: 22,
                ..Look::default()
            },
        ));
        xml.push_str(&text("", Look::default()));
        xml.push_str(&table_start(&WIDTHS));
        xml.push_str(&heading_row(&WIDTHS, &HEADINGS));
        self.put(&xml)
    }

    fn rows(&mut self, rows: &[Row]) -> std::io::Result<()> {
        let mut xml = String::with_capacity(rows.len() * 1500);
        for row in rows {
            let commenter = format!("{}\nMã: {}", row.commenter, row.tracking_code);
            let disposition = disposition_vi(row.disposition);
            let answer = format!(
                "{}{}",
                run(
                    disposition,
                    Look {
                        bold: true,
                        ..SMALL
                    }
                ),
                if row.explanation.is_empty() {
                    String::new()
                } else {
                    run(&format!("\n{}", row.explanation), SMALL)
                }
            );
            xml.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
            xml.push_str(&cell(
                WIDTHS[0],
                &text(
                    &row.number.to_string(),
                    Look {
                        center: true,
                        ..SMALL
                    },
                ),
            ));
            xml.push_str(&cell(WIDTHS[1], &text(&row.clause, SMALL)));
            xml.push_str(&cell(WIDTHS[2], &text(&commenter, SMALL)));
            xml.push_str(&cell(WIDTHS[3], &text(&row.content, SMALL)));
            xml.push_str(&cell(WIDTHS[4], &paragraph(&answer, SMALL)));
            xml.push_str("</w:tr>");
        }
        self.put(&xml)
    }

    fn finish(mut self, meta: &Meta, summary: &Summary, hash: &str) -> std::io::Result<W> {
        let mut xml = String::from("</w:tbl>");
        xml.push_str(&text("", Look::default()));
        xml.push_str(&text("TỔNG HỢP KẾT QUẢ TIẾP THU, GIẢI TRÌNH", BOLD));
        let widths = [3500, 1500, 1500, 1500, 1500, 1500, 1500, 1500];
        xml.push_str(&table_start(&widths));
        xml.push_str(&heading_row(
            &widths,
            &[
                "Nhóm",
                "Số dòng",
                "Số ý kiến",
                "Tiếp thu",
                "Tiếp thu một phần",
                "Không tiếp thu",
                "Giải trình",
                "Chưa có ý kiến",
            ],
        ));
        for (group, tally) in &summary.by_group {
            xml.push_str(&tally_row(&widths, group.label_vi(), tally, false));
        }
        xml.push_str(&tally_row(&widths, "Tổng cộng", &summary.total, true));
        xml.push_str("</w:tbl>");
        xml.push_str(&text("", Look::default()));
        xml.push_str(&text(
            &format!(
                "Ý kiến đang chờ kiểm duyệt, chưa đưa vào bảng: {}.",
                meta.head.pending_moderation
            ),
            Look::default(),
        ));
        if summary.undisposed.is_empty() {
            xml.push_str(&text(
                "Tất cả ý kiến đã có ý kiến tiếp thu, giải trình.",
                Look::default(),
            ));
        } else {
            xml.push_str(&text(
                &format!(
                    "Ý kiến chưa có ý kiến tiếp thu, giải trình ({}):",
                    summary.undisposed.len()
                ),
                BOLD,
            ));
            let list = summary
                .undisposed
                .iter()
                .map(|u| format!("STT {} ({}, mã {})", u.number, u.clause, u.tracking_code))
                .collect::<Vec<_>>()
                .join("; ");
            xml.push_str(&text(&list, SMALL));
        }
        xml.push_str(&text("", Look::default()));
        xml.push_str(&text(
            &format!("Mã kiểm tra nội dung bảng (SHA-256): {hash}"),
            Look {
                italic: true,
                size: 22,
                ..Look::default()
            },
        ));
        if let Some(s) = &meta.head.sign_off {
            xml.push_str(&text(
                &format!(
                    "Ký duyệt phiên bản {}: {}, {}.",
                    s.version,
                    s.signed_by,
                    crate::domain::time::datetime_vn(s.signed_at)
                ),
                Look {
                    italic: true,
                    size: 22,
                    ..Look::default()
                },
            ));
        }
        xml.push_str(SECTION);
        xml.push_str("</w:body></w:document>");
        self.put(&xml)?;
        self.zip.finish().map_err(io)
    }
}
