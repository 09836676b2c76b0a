//! Checking and cleaning uploaded files before gopy stores or serves them.
//!
//! Residents attach photos and PDFs to comments; agencies attach PDFs, images and Office
//! documents to consultations. Everything here works on the bytes alone:
//!
//! - [`sniff`] recognizes a file by its content, never by its name or declared type.
//!   DOCX and XLSX are ZIP archives: their central directory is parsed by hand (end of
//!   central directory record, including ZIP64, then the entries) to look for
//!   `word/document.xml` or `xl/workbook.xml`; nothing is decompressed.
//! - [`check`] refuses empty and oversized files, kinds not allowed in the context, names
//!   that could be abused, and files whose declared type or extension disagrees with the
//!   content (a renamed executable, a PNG calling itself a PDF). A declared type of
//!   `application/octet-stream` (what browsers send when they do not know) and a name without
//!   an extension claim nothing and are accepted. An "extension" is the part after the last
//!   dot when it is 1 to 5 ASCII letters or digits with at least one letter, so names such as
//!   `Biên bản 12.3.2024` have none.
//! - [`safe_file_name`] and [`safe_file_name_for`] turn a resident's file name into one that
//!   is safe to store and to put in a `Content-Disposition` header, keeping Vietnamese letters.
//! - [`strip_metadata`] removes what a photo says about where and when it was taken and by
//!   whom, without decoding or re-encoding the image:
//!   - JPEG: the marker segments are walked (fill bytes, segment lengths, entropy-coded scan
//!     data with its stuffed bytes and restart markers, up to EOI). Kept: everything needed to
//!     decode and display the image (DQT, DHT, SOFn, DRI, SOS and scan data, DAC, ...),
//!     APP0/JFIF (with any embedded thumbnail removed), APP2 `ICC_PROFILE` (colors) and APP14
//!     `Adobe` (needed to decode CMYK/YCCK). Dropped: APP1 (EXIF including GPS, and XMP),
//!     APP13 (IPTC/Photoshop), COM, every other APPn (maker notes, MPF, FlashPix, Ducky,
//!     JFXX thumbnails) and anything after EOI (appended files, MPF secondary images).
//!   - PNG: chunks are walked and their CRCs verified; `eXIf`, `tEXt`, `zTXt`, `iTXt` and
//!     `tIME` are dropped, every other chunk is copied byte for byte (so its CRC stays
//!     valid), and anything after `IEND` is dropped.
//!   - PDF, DOCX, XLSX: returned unchanged (their document properties are not touched).
//!
//!   A malformed or truncated image is an error, never a panic.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Kinds of files gopy accepts as attachments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// JPEG photo.
    Jpeg,
    /// PNG image.
    Png,
    /// PDF document.
    Pdf,
    /// Word document (Office Open XML).
    Docx,
    /// Excel workbook (Office Open XML).
    Xlsx,
}

/// Kinds residents and organizations may attach to a comment.
pub const COMMENT_KINDS: &[FileKind] = &[FileKind::Jpeg, FileKind::Png, FileKind::Pdf];

/// Kinds agencies may attach to a consultation.
pub const CONSULTATION_KINDS: &[FileKind] = &[
    FileKind::Pdf,
    FileKind::Jpeg,
    FileKind::Png,
    FileKind::Docx,
    FileKind::Xlsx,
];

impl FileKind {
    /// Every kind.
    pub const ALL: [FileKind; 5] = [
        FileKind::Jpeg,
        FileKind::Png,
        FileKind::Pdf,
        FileKind::Docx,
        FileKind::Xlsx,
    ];

    /// MIME type to serve the file with.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Pdf => "application/pdf",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// Canonical file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Pdf => "pdf",
            Self::Docx => "docx",
            Self::Xlsx => "xlsx",
        }
    }

    /// Extensions (lowercase, without the dot) that a file of this kind may carry.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Jpeg => &["jpg", "jpeg", "jpe", "jfif"],
            Self::Png => &["png"],
            Self::Pdf => &["pdf"],
            Self::Docx => &["docx"],
            Self::Xlsx => &["xlsx"],
        }
    }

    /// Declared content types (lowercase, without parameters) that a file of this kind may
    /// arrive with, including the non-standard ones some browsers and phones send.
    pub fn content_types(self) -> &'static [&'static str] {
        match self {
            Self::Jpeg => &["image/jpeg", "image/jpg", "image/pjpeg"],
            Self::Png => &["image/png", "image/x-png"],
            Self::Pdf => &["application/pdf", "application/x-pdf"],
            Self::Docx => {
                &["application/vnd.openxmlformats-officedocument.wordprocessingml.document"]
            }
            Self::Xlsx => &["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Jpeg => "JPEG",
            Self::Png => "PNG",
            Self::Pdf => "PDF",
            Self::Docx => "DOCX",
            Self::Xlsx => "XLSX",
        })
    }
}

/// Why an uploaded file was refused or could not be cleaned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    /// The file has no bytes.
    #[error("the file is empty")]
    Empty,
    /// The file is over the size limit.
    #[error("the file is {size} bytes, over the limit of {max} bytes")]
    TooLarge {
        /// Size of the upload in bytes.
        size: usize,
        /// Limit in bytes.
        max: usize,
    },
    /// The content is not one of the kinds allowed here (or not recognized at all).
    #[error("this type of file is not accepted here")]
    NotAllowedType {
        /// What the content turned out to be, if gopy recognizes it.
        detected: Option<FileKind>,
    },
    /// The declared content type or the extension says something else than the content.
    #[error("the file is a {detected} but claims to be {claimed}")]
    ContentMismatch {
        /// What the content is.
        detected: FileKind,
        /// The declared content type, or the extension with its dot.
        claimed: String,
    },
    /// The file name contains path separators or control characters, or is too long.
    #[error("unacceptable file name: {reason}")]
    BadName {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The image structure is broken or truncated.
    #[error("malformed {kind} file: {reason}")]
    Malformed {
        /// Kind the bytes were read as.
        kind: FileKind,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl AttachmentError {
    /// Stable machine-readable code for API responses and translations.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::TooLarge { .. } => "too_large",
            Self::NotAllowedType { .. } => "not_allowed_type",
            Self::ContentMismatch { .. } => "content_mismatch",
            Self::BadName { .. } => "bad_name",
            Self::Malformed { .. } => "malformed",
        }
    }
}

/// Longest accepted file name, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// Longest stem (name without extension) that [`safe_file_name`] produces, in characters.
const MAX_SAFE_STEM_CHARS: usize = 100;

const JPEG_MAGIC: &[u8] = &[0xFF, 0xD8, 0xFF];
const PNG_MAGIC: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
const PDF_MAGIC: &[u8] = b"%PDF-";
const ZIP_LOCAL_MAGIC: &[u8] = b"PK\x03\x04";

/// Recognizes a file by its content.
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    if bytes.starts_with(JPEG_MAGIC) {
        Some(FileKind::Jpeg)
    } else if bytes.starts_with(PNG_MAGIC) {
        Some(FileKind::Png)
    } else if bytes.starts_with(PDF_MAGIC) {
        Some(FileKind::Pdf)
    } else if bytes.starts_with(ZIP_LOCAL_MAGIC) {
        office_kind(bytes)
    } else {
        None
    }
}

/// Checks an upload against the kinds `allowed` in its context and a size limit, returning
/// the kind its content was recognized as.
///
/// The checks run in this order: the name (`bad_name`), emptiness (`empty`), size
/// (`too_large`), content kind (`not_allowed_type`), then the declared type and the extension
/// against the content (`content_mismatch`).
pub fn check(
    file_name: &str,
    declared_content_type: Option<&str>,
    bytes: &[u8],
    allowed: &[FileKind],
    max_bytes: usize,
) -> Result<FileKind, AttachmentError> {
    check_name(file_name)?;
    if bytes.is_empty() {
        return Err(AttachmentError::Empty);
    }
    if bytes.len() > max_bytes {
        return Err(AttachmentError::TooLarge {
            size: bytes.len(),
            max: max_bytes,
        });
    }
    let kind = match sniff(bytes) {
        Some(kind) if allowed.contains(&kind) => kind,
        detected => return Err(AttachmentError::NotAllowedType { detected }),
    };
    if let Some(declared) = declared_content_type {
        let essence = declared
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let claims_nothing = essence.is_empty() || essence == "application/octet-stream";
        if !claims_nothing && !kind.content_types().contains(&essence.as_str()) {
            return Err(AttachmentError::ContentMismatch {
                detected: kind,
                claimed: essence,
            });
        }
    }
    if let (_, Some(ext)) = split_extension(file_name) {
        let ext = ext.to_ascii_lowercase();
        if !kind.extensions().contains(&ext.as_str()) {
            return Err(AttachmentError::ContentMismatch {
                detected: kind,
                claimed: format!(".{ext}"),
            });
        }
    }
    Ok(kind)
}

/// Refuses names with path separators, control or bidirectional-override characters
/// (used to disguise `gpj.exe` as `exe.jpg`), empty names and names over
/// [`MAX_NAME_CHARS`].
fn check_name(name: &str) -> Result<(), AttachmentError> {
    let bad = |reason| Err(AttachmentError::BadName { reason });
    if name.trim().is_empty() {
        return bad("empty name");
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return bad("name too long");
    }
    if name.contains(['/', '\\']) {
        return bad("path separator in name");
    }
    if name.chars().any(char::is_control) {
        return bad("control character in name");
    }
    if name.chars().any(is_bidi_control) {
        return bad("bidirectional control character in name");
    }
    if name == "." || name == ".." {
        return bad("not a file name");
    }
    Ok(())
}

/// Unicode characters that reorder how text is displayed.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Splits `name` into stem and extension, when the part after the last dot looks like one
/// (1 to 5 ASCII alphanumerics with at least one letter).
fn split_extension(name: &str) -> (&str, Option<&str>) {
    match name.rsplit_once('.') {
        Some((stem, ext))
            if (1..=5).contains(&ext.len())
                && ext.bytes().all(|b| b.is_ascii_alphanumeric())
                && ext.bytes().any(|b| b.is_ascii_alphabetic()) =>
        {
            (stem, Some(ext))
        }
        _ => (name, None),
    }
}

/// A file name that is safe to store and to serve, keeping the extension as given
/// (lowercased).
///
/// Only the last path component is used. Letters and digits of any script (so Vietnamese
/// stays readable), combining marks after a letter, spaces, `-`, `_`, `.`, `(` and `)` are
/// kept; anything else (quotes, `;`, `%`, control and bidirectional characters, ...) becomes
/// `_`. Runs of spaces, underscores and dots are collapsed, leading and trailing dots,
/// spaces, `_` and `-` are trimmed, the stem is cut to 100 characters, Windows device names
/// (`CON`, `NUL`, ...) get a `_` prefix and an empty stem becomes `file`.
///
/// Use it after [`check`], which has made sure any extension matches the content, or use
/// [`safe_file_name_for`] to force the extension.
pub fn safe_file_name(name: &str) -> String {
    let (stem, ext) = clean_name_parts(name);
    join_name(stem, ext)
}

/// Like [`safe_file_name`], but the extension always matches `kind`: an extension of that
/// kind is kept (lowercased, so `.jpeg` stays), any other is replaced by
/// [`FileKind::extension`] and a missing one is added.
pub fn safe_file_name_for(name: &str, kind: FileKind) -> String {
    let (stem, ext) = clean_name_parts(name);
    let ext = match ext {
        Some(ext) if kind.extensions().contains(&ext.as_str()) => ext,
        _ => kind.extension().to_owned(),
    };
    join_name(stem, Some(ext))
}

/// Cleaned stem and lowercased extension of `name`.
fn clean_name_parts(name: &str) -> (String, Option<String>) {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let mut cleaned = String::with_capacity(base.len());
    for c in base.chars() {
        let last = cleaned.chars().last();
        let mapped = if c.is_alphanumeric() {
            c
        } else if unicode_normalization::char::is_combining_mark(c) {
            match last {
                Some(l)
                    if l.is_alphanumeric() || unicode_normalization::char::is_combining_mark(l) =>
                {
                    c
                }
                _ => '_',
            }
        } else if c.is_whitespace() && !is_bidi_control(c) {
            ' '
        } else if matches!(c, '-' | '_' | '.' | '(' | ')') {
            c
        } else {
            '_'
        };
        let collapses = matches!(mapped, ' ' | '_' | '.') && last == Some(mapped);
        if !collapses {
            cleaned.push(mapped);
        }
    }
    let (stem, ext) = split_extension(&cleaned);
    let trim = |s: &str| {
        s.trim_matches(|c| matches!(c, ' ' | '.' | '_' | '-'))
            .to_owned()
    };
    let mut stem: String = trim(stem).chars().take(MAX_SAFE_STEM_CHARS).collect();
    stem = trim(&stem);
    if stem.is_empty() {
        stem = "file".to_owned();
    }
    let device = stem
        .split('.')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_uppercase();
    let is_device = matches!(device.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((device.starts_with("COM") || device.starts_with("LPT"))
            && device.len() == 4
            && device
                .as_bytes()
                .get(3)
                .is_some_and(|b| (b'1'..=b'9').contains(b)));
    if is_device {
        stem.insert(0, '_');
    }
    (stem, ext.map(str::to_ascii_lowercase))
}

fn join_name(stem: String, ext: Option<String>) -> String {
    match ext {
        Some(ext) => format!("{stem}.{ext}"),
        None => stem,
    }
}

/// Removes location, time, author and other metadata from images (see the module
/// documentation for exactly what is kept); PDF, DOCX and XLSX come back unchanged.
pub fn strip_metadata(kind: FileKind, bytes: &[u8]) -> Result<Vec<u8>, AttachmentError> {
    match kind {
        FileKind::Jpeg => strip_jpeg(bytes),
        FileKind::Png => strip_png(bytes),
        FileKind::Pdf | FileKind::Docx | FileKind::Xlsx => Ok(bytes.to_vec()),
    }
}

// ---------------------------------------------------------------------------------------
// Byte readers that never panic.

fn be16(bytes: &[u8], at: usize) -> Option<usize> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(usize::from(u16::from_be_bytes([b[0], b[1]])))
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn le16(bytes: &[u8], at: usize) -> Option<u64> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(u64::from(u16::from_le_bytes([b[0], b[1]])))
}

fn le32(bytes: &[u8], at: usize) -> Option<u64> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
}

fn le64(bytes: &[u8], at: usize) -> Option<u64> {
    let b = bytes.get(at..at.checked_add(8)?)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(b);
    Some(u64::from_le_bytes(a))
}

// ---------------------------------------------------------------------------------------
// ZIP / Office Open XML.

const ZIP_EOCD_SIG: u64 = 0x0605_4b50;
const ZIP_EOCD_LEN: usize = 22;
const ZIP64_LOCATOR_SIG: u64 = 0x0706_4b50;
const ZIP64_LOCATOR_LEN: usize = 20;
const ZIP64_EOCD_SIG: u64 = 0x0606_4b50;
const ZIP_CENTRAL_SIG: u64 = 0x0201_4b50;
const ZIP_CENTRAL_LEN: usize = 46;

/// DOCX or XLSX, from the entry names in the ZIP central directory.
fn office_kind(bytes: &[u8]) -> Option<FileKind> {
    let (cd_offset, cd_size, entries) = central_directory(bytes)?;
    let start = usize::try_from(cd_offset).ok()?;
    let end = start.checked_add(usize::try_from(cd_size).ok()?)?;
    let directory = bytes.get(start..end)?;
    let (mut docx, mut xlsx) = (false, false);
    let mut pos = 0usize;
    for _ in 0..entries {
        if le32(directory, pos)? != ZIP_CENTRAL_SIG {
            return None;
        }
        let name_len = usize::try_from(le16(directory, pos + 28)?).ok()?;
        let extra_len = usize::try_from(le16(directory, pos + 30)?).ok()?;
        let comment_len = usize::try_from(le16(directory, pos + 32)?).ok()?;
        let name_start = pos + ZIP_CENTRAL_LEN;
        let name = directory.get(name_start..name_start + name_len)?;
        // Part names in Office packages are case-insensitive.
        docx |= name.eq_ignore_ascii_case(b"word/document.xml");
        xlsx |= name.eq_ignore_ascii_case(b"xl/workbook.xml");
        pos = name_start + name_len + extra_len + comment_len;
    }
    match (docx, xlsx) {
        (true, false) => Some(FileKind::Docx),
        (false, true) => Some(FileKind::Xlsx),
        _ => None,
    }
}

/// Offset, size and entry count of the central directory, from the end of central directory
/// record (and the ZIP64 one when the classic fields overflow).
fn central_directory(bytes: &[u8]) -> Option<(u64, u64, u64)> {
    let last = bytes.len().checked_sub(ZIP_EOCD_LEN)?;
    let first = last.saturating_sub(usize::from(u16::MAX));
    // The record is followed only by its comment, which must end the file exactly; scanning
    // backwards finds the real record even if the comment contains the signature.
    let eocd = (first..=last).rev().find(|&pos| {
        le32(bytes, pos) == Some(ZIP_EOCD_SIG)
            && le16(bytes, pos + 20)
                .and_then(|c| usize::try_from(c).ok())
                .is_some_and(|comment| pos + ZIP_EOCD_LEN + comment == bytes.len())
    })?;
    let entries = le16(bytes, eocd + 10)?;
    let cd_size = le32(bytes, eocd + 12)?;
    let cd_offset = le32(bytes, eocd + 16)?;
    if entries != 0xFFFF && cd_size != 0xFFFF_FFFF && cd_offset != 0xFFFF_FFFF {
        return Some((cd_offset, cd_size, entries));
    }
    let locator = eocd.checked_sub(ZIP64_LOCATOR_LEN)?;
    if le32(bytes, locator)? != ZIP64_LOCATOR_SIG {
        return None;
    }
    let record = usize::try_from(le64(bytes, locator + 8)?).ok()?;
    if le32(bytes, record)? != ZIP64_EOCD_SIG {
        return None;
    }
    Some((
        le64(bytes, record.checked_add(48)?)?,
        le64(bytes, record.checked_add(40)?)?,
        le64(bytes, record.checked_add(32)?)?,
    ))
}

// ---------------------------------------------------------------------------------------
// JPEG.

const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;
const APP0: u8 = 0xE0;
const APP2: u8 = 0xE2;
const APP14: u8 = 0xEE;
const COM: u8 = 0xFE;
const TEM: u8 = 0x01;

/// Start-of-frame markers (every SOFn; C4 DHT, C8 JPG and CC DAC are not frames).
fn is_sof(marker: u8) -> bool {
    matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC)
}

fn is_rst(marker: u8) -> bool {
    (0xD0..=0xD7).contains(&marker)
}

fn jpeg_error(reason: &'static str) -> AttachmentError {
    AttachmentError::Malformed {
        kind: FileKind::Jpeg,
        reason,
    }
}

/// What to do with a marker segment (payload without marker and length).
enum JpegKeep {
    Keep,
    Drop,
    Replace(Vec<u8>),
}

fn jpeg_segment_policy(marker: u8, payload: &[u8]) -> JpegKeep {
    match marker {
        APP0 if payload.starts_with(b"JFIF\0") && payload.len() >= 14 => {
            if payload[12] == 0 && payload[13] == 0 {
                JpegKeep::Keep
            } else {
                // Keep the header, drop the embedded thumbnail.
                let mut header = payload[..14].to_vec();
                header[12] = 0;
                header[13] = 0;
                JpegKeep::Replace(header)
            }
        }
        APP2 if payload.starts_with(b"ICC_PROFILE\0") => JpegKeep::Keep,
        APP14 if payload.starts_with(b"Adobe") => JpegKeep::Keep,
        0xE0..=0xEF | COM => JpegKeep::Drop,
        _ => JpegKeep::Keep,
    }
}

fn strip_jpeg(bytes: &[u8]) -> Result<Vec<u8>, AttachmentError> {
    if !bytes.starts_with(&[0xFF, SOI]) {
        return Err(jpeg_error("missing start of image"));
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&[0xFF, SOI]);
    let mut pos = 2;
    let (mut seen_frame, mut seen_scan) = (false, false);
    loop {
        if bytes.get(pos) != Some(&0xFF) {
            return Err(jpeg_error(if pos >= bytes.len() {
                "truncated before end of image"
            } else {
                "expected a marker"
            }));
        }
        // Any number of 0xFF fill bytes may precede a marker; they are not copied.
        while bytes.get(pos) == Some(&0xFF) {
            pos += 1;
        }
        let marker = *bytes
            .get(pos)
            .ok_or_else(|| jpeg_error("truncated before end of image"))?;
        pos += 1;
        match marker {
            0x00 => return Err(jpeg_error("stuffed byte outside scan data")),
            SOI => return Err(jpeg_error("second start of image")),
            EOI => {
                if !(seen_frame && seen_scan) {
                    return Err(jpeg_error("no image data"));
                }
                out.extend_from_slice(&[0xFF, EOI]);
                return Ok(out);
            }
            m if is_rst(m) || m == TEM => out.extend_from_slice(&[0xFF, m]),
            _ => {
                let len = be16(bytes, pos).ok_or_else(|| jpeg_error("truncated segment"))?;
                if len < 2 {
                    return Err(jpeg_error("bad segment length"));
                }
                let segment = bytes
                    .get(pos..pos + len)
                    .ok_or_else(|| jpeg_error("truncated segment"))?;
                match jpeg_segment_policy(marker, &segment[2..]) {
                    JpegKeep::Keep => {
                        out.extend_from_slice(&[0xFF, marker]);
                        out.extend_from_slice(segment);
                    }
                    JpegKeep::Drop => {}
                    JpegKeep::Replace(payload) => {
                        let new_len = u16::try_from(payload.len() + 2)
                            .map_err(|_| jpeg_error("bad segment length"))?;
                        out.extend_from_slice(&[0xFF, marker]);
                        out.extend_from_slice(&new_len.to_be_bytes());
                        out.extend_from_slice(&payload);
                    }
                }
                pos += len;
                if is_sof(marker) {
                    seen_frame = true;
                } else if marker == SOS {
                    if !seen_frame {
                        return Err(jpeg_error("scan before frame header"));
                    }
                    seen_scan = true;
                    let end = jpeg_scan_end(bytes, pos)?;
                    out.extend_from_slice(&bytes[pos..end]);
                    pos = end;
                }
            }
        }
    }
}

/// End of the entropy-coded data that starts at `start`: the first 0xFF that begins a marker
/// other than a stuffed zero (`FF 00`) or a restart marker (`FF D0`..`FF D7`).
fn jpeg_scan_end(bytes: &[u8], start: usize) -> Result<usize, AttachmentError> {
    let truncated = || jpeg_error("truncated scan data");
    let mut pos = start;
    loop {
        let rest = bytes.get(pos..).ok_or_else(truncated)?;
        pos += rest.iter().position(|b| *b == 0xFF).ok_or_else(truncated)?;
        let mut next = pos + 1;
        while bytes.get(next) == Some(&0xFF) {
            next += 1;
        }
        match bytes.get(next) {
            None => return Err(truncated()),
            Some(&m) if m == 0x00 || is_rst(m) => pos = next + 1,
            Some(_) => return Ok(pos),
        }
    }
}

// ---------------------------------------------------------------------------------------
// PNG.

/// Chunks that carry metadata: EXIF, text (author, comments, software...) and time.
const PNG_METADATA_CHUNKS: [&[u8; 4]; 5] = [b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"];

fn png_error(reason: &'static str) -> AttachmentError {
    AttachmentError::Malformed {
        kind: FileKind::Png,
        reason,
    }
}

fn strip_png(bytes: &[u8]) -> Result<Vec<u8>, AttachmentError> {
    if !bytes.starts_with(PNG_MAGIC) {
        return Err(png_error("missing PNG signature"));
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(PNG_MAGIC);
    let mut pos = PNG_MAGIC.len();
    let mut seen_idat = false;
    loop {
        let truncated = || png_error("truncated chunk");
        let len = be32(bytes, pos).ok_or_else(truncated)?;
        if len > 0x7FFF_FFFF {
            return Err(png_error("chunk too long"));
        }
        let len = usize::try_from(len).map_err(|_| png_error("chunk too long"))?;
        let end = pos
            .checked_add(12)
            .and_then(|p| p.checked_add(len))
            .ok_or_else(truncated)?;
        let chunk = bytes.get(pos..end).ok_or_else(truncated)?;
        let chunk_type = &chunk[4..8];
        if !chunk_type.iter().all(u8::is_ascii_alphabetic) {
            return Err(png_error("bad chunk type"));
        }
        let stored_crc = be32(chunk, 8 + len).ok_or_else(truncated)?;
        if crc32(&chunk[4..8 + len]) != stored_crc {
            return Err(png_error("chunk CRC mismatch"));
        }
        if pos == PNG_MAGIC.len() && chunk_type != b"IHDR" {
            return Err(png_error("first chunk is not IHDR"));
        }
        seen_idat |= chunk_type == b"IDAT";
        if !PNG_METADATA_CHUNKS
            .iter()
            .any(|m| m.as_slice() == chunk_type)
        {
            out.extend_from_slice(chunk);
        }
        pos = end;
        if chunk_type == b"IEND" {
            if !seen_idat {
                return Err(png_error("no image data"));
            }
            return Ok(out);
        }
    }
}

/// CRC-32 (ISO 3309, as used by PNG) lookup table.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[n] = c;
        n += 1;
    }
    table
};

/// CRC-32 of `data`, as stored after each PNG chunk (over type and data).
fn crc32(data: &[u8]) -> u32 {
    !data.iter().fold(0xFFFF_FFFFu32, |c, b| {
        CRC_TABLE[usize::from((c as u8) ^ b)] ^ (c >> 8)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PHOTO_GPS: &[u8] = include_bytes!("../../tests/fixtures/attachments/photo_gps.jpg");
    const PHOTO_PROGRESSIVE: &[u8] =
        include_bytes!("../../tests/fixtures/attachments/photo_progressive.jpg");
    const DRAWING: &[u8] = include_bytes!("../../tests/fixtures/attachments/drawing.png");
    const LETTER: &[u8] = include_bytes!("../../tests/fixtures/attachments/letter.pdf");
    const MINUTES: &[u8] = include_bytes!("../../tests/fixtures/attachments/minutes.docx");
    const BUDGET: &[u8] = include_bytes!("../../tests/fixtures/attachments/budget.xlsx");
    const ARCHIVE: &[u8] = include_bytes!("../../tests/fixtures/attachments/archive.zip");
    const FAKE_ELF: &[u8] = include_bytes!("../../tests/fixtures/attachments/anh.jpg");
    const FAKE_PE: &[u8] = include_bytes!("../../tests/fixtures/attachments/bao_cao.pdf");

    const MB: usize = 1024 * 1024;

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    /// Markers of a JPEG's segments in order (scan data skipped), using the same scan walker.
    fn jpeg_markers(bytes: &[u8]) -> Vec<u8> {
        let mut markers = vec![];
        let mut pos = 2;
        loop {
            assert_eq!(bytes[pos], 0xFF, "marker expected at {pos}");
            let marker = bytes[pos + 1];
            markers.push(marker);
            pos += 2;
            if marker == EOI {
                assert_eq!(pos, bytes.len(), "data after EOI");
                return markers;
            }
            pos += be16(bytes, pos).expect("length");
            if marker == SOS {
                pos = jpeg_scan_end(bytes, pos).expect("scan");
            }
        }
    }

    /// (type, data) of every PNG chunk, asserting each CRC.
    fn png_chunks(bytes: &[u8]) -> Vec<([u8; 4], Vec<u8>)> {
        assert!(bytes.starts_with(PNG_MAGIC));
        let mut chunks = vec![];
        let mut pos = 8;
        while pos < bytes.len() {
            let len = be32(bytes, pos).expect("length") as usize;
            let kind: [u8; 4] = bytes[pos + 4..pos + 8].try_into().expect("type");
            let data = bytes[pos + 8..pos + 8 + len].to_vec();
            let crc = be32(bytes, pos + 8 + len).expect("crc");
            assert_eq!(
                crc32(&bytes[pos + 4..pos + 8 + len]),
                crc,
                "CRC of {kind:?}"
            );
            chunks.push((kind, data));
            pos += 12 + len;
        }
        assert_eq!(pos, bytes.len());
        chunks
    }

    #[test]
    fn sniffs_every_fixture_by_content() {
        assert_eq!(sniff(PHOTO_GPS), Some(FileKind::Jpeg));
        assert_eq!(sniff(PHOTO_PROGRESSIVE), Some(FileKind::Jpeg));
        assert_eq!(sniff(DRAWING), Some(FileKind::Png));
        assert_eq!(sniff(LETTER), Some(FileKind::Pdf));
        assert_eq!(sniff(MINUTES), Some(FileKind::Docx));
        assert_eq!(sniff(BUDGET), Some(FileKind::Xlsx));
        assert_eq!(sniff(ARCHIVE), None);
        assert_eq!(sniff(FAKE_ELF), None);
        assert_eq!(sniff(FAKE_PE), None);
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"%PDF"), None);
        assert_eq!(sniff(b"PK\x03\x04"), None);
        assert_eq!(sniff(b"<html><body>%PDF-1.4"), None);
    }

    #[test]
    fn sniffs_office_files_with_comments_and_zip64() {
        // A ZIP comment after the end of central directory record.
        let mut commented = MINUTES.to_vec();
        let eocd = commented.len() - ZIP_EOCD_LEN;
        let comment = b"PK\x05\x06 looks like a record but is the comment";
        commented[eocd + 20..eocd + 22].copy_from_slice(&(comment.len() as u16).to_le_bytes());
        commented.extend_from_slice(comment);
        assert_eq!(sniff(&commented), Some(FileKind::Docx));

        // The same package with a ZIP64 end of central directory record and locator.
        let eocd_record = &BUDGET[BUDGET.len() - ZIP_EOCD_LEN..];
        let entries = le16(eocd_record, 10).expect("entries");
        let cd_size = le32(eocd_record, 12).expect("size");
        let cd_offset = le32(eocd_record, 16).expect("offset");
        let mut zip64 = BUDGET[..BUDGET.len() - ZIP_EOCD_LEN].to_vec();
        let record_at = zip64.len() as u64;
        zip64.extend_from_slice(&0x0606_4b50u32.to_le_bytes());
        zip64.extend_from_slice(&44u64.to_le_bytes());
        zip64.extend_from_slice(&[45, 0, 45, 0]);
        zip64.extend_from_slice(&[0; 8]);
        zip64.extend_from_slice(&entries.to_le_bytes());
        zip64.extend_from_slice(&entries.to_le_bytes());
        zip64.extend_from_slice(&cd_size.to_le_bytes());
        zip64.extend_from_slice(&cd_offset.to_le_bytes());
        zip64.extend_from_slice(&0x0706_4b50u32.to_le_bytes());
        zip64.extend_from_slice(&0u32.to_le_bytes());
        zip64.extend_from_slice(&record_at.to_le_bytes());
        zip64.extend_from_slice(&1u32.to_le_bytes());
        zip64.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        zip64.extend_from_slice(&[0; 4]);
        zip64.extend_from_slice(&[0xFF; 4]);
        zip64.extend_from_slice(&[0xFF; 8]);
        zip64.extend_from_slice(&[0; 2]);
        assert_eq!(sniff(&zip64), Some(FileKind::Xlsx));
    }

    #[test]
    fn file_kind_names() {
        for kind in FileKind::ALL {
            assert!(kind.extensions().contains(&kind.extension()));
            assert!(kind.content_types().contains(&kind.content_type()));
        }
        assert_eq!(FileKind::Jpeg.content_type(), "image/jpeg");
        assert_eq!(FileKind::Docx.extension(), "docx");
        assert_eq!(
            serde_json::to_string(&FileKind::Xlsx).expect("json"),
            "\"xlsx\""
        );
    }

    #[test]
    fn check_accepts_matching_files() {
        let ok = |name, ct, bytes, allowed| check(name, ct, bytes, allowed, 10 * MB);
        assert_eq!(
            ok(
                "Ảnh hồ Gươm.JPG",
                Some("image/jpeg"),
                PHOTO_GPS,
                COMMENT_KINDS
            ),
            Ok(FileKind::Jpeg)
        );
        assert_eq!(
            ok(
                "IMG_0001.jpeg",
                Some("image/jpg"),
                PHOTO_PROGRESSIVE,
                COMMENT_KINDS
            ),
            Ok(FileKind::Jpeg)
        );
        assert_eq!(
            ok(
                "ve.png",
                Some("application/octet-stream"),
                DRAWING,
                COMMENT_KINDS
            ),
            Ok(FileKind::Png)
        );
        assert_eq!(
            ok("Biên bản 12.3.2024", None, LETTER, COMMENT_KINDS),
            Ok(FileKind::Pdf)
        );
        assert_eq!(
            ok(
                "thu.pdf",
                Some("Application/PDF; name=thu.pdf"),
                LETTER,
                COMMENT_KINDS
            ),
            Ok(FileKind::Pdf)
        );
        assert_eq!(
            ok(
                "Biên bản.docx",
                Some(FileKind::Docx.content_type()),
                MINUTES,
                CONSULTATION_KINDS
            ),
            Ok(FileKind::Docx)
        );
        assert_eq!(
            ok(
                "Dự toán.xlsx",
                Some(FileKind::Xlsx.content_type()),
                BUDGET,
                CONSULTATION_KINDS
            ),
            Ok(FileKind::Xlsx)
        );
    }

    #[test]
    fn check_refuses_with_the_right_codes() {
        let code = |name, ct, bytes: &[u8], allowed, max| {
            check(name, ct, bytes, allowed, max)
                .map_err(|e| e.code())
                .err()
        };
        // Renamed executables.
        assert_eq!(
            code("anh.jpg", Some("image/jpeg"), FAKE_ELF, COMMENT_KINDS, MB),
            Some("not_allowed_type")
        );
        assert_eq!(
            code(
                "bao_cao.pdf",
                Some("application/pdf"),
                FAKE_PE,
                COMMENT_KINDS,
                MB
            ),
            Some("not_allowed_type")
        );
        // Recognized, but not allowed in this context.
        assert_eq!(
            check("Biên bản.docx", None, MINUTES, COMMENT_KINDS, MB),
            Err(AttachmentError::NotAllowedType {
                detected: Some(FileKind::Docx)
            })
        );
        assert_eq!(
            code("a.zip", None, ARCHIVE, CONSULTATION_KINDS, MB),
            Some("not_allowed_type")
        );
        // Oversized and empty.
        assert_eq!(
            check("anh.jpg", None, PHOTO_GPS, COMMENT_KINDS, 1000),
            Err(AttachmentError::TooLarge {
                size: PHOTO_GPS.len(),
                max: 1000
            })
        );
        assert_eq!(
            code("anh.jpg", None, PHOTO_GPS, COMMENT_KINDS, PHOTO_GPS.len()),
            None
        );
        assert_eq!(code("anh.jpg", None, b"", COMMENT_KINDS, MB), Some("empty"));
        // A PNG claiming to be a PDF, by declared type or by extension.
        assert_eq!(
            check(
                "scan.pdf",
                Some("application/pdf"),
                DRAWING,
                COMMENT_KINDS,
                MB
            ),
            Err(AttachmentError::ContentMismatch {
                detected: FileKind::Png,
                claimed: "application/pdf".to_owned()
            })
        );
        assert_eq!(
            check("scan.pdf", None, DRAWING, COMMENT_KINDS, MB),
            Err(AttachmentError::ContentMismatch {
                detected: FileKind::Png,
                claimed: ".pdf".to_owned()
            })
        );
        assert_eq!(
            code(
                "scan.png",
                Some("application/pdf"),
                DRAWING,
                COMMENT_KINDS,
                MB
            ),
            Some("content_mismatch")
        );
        assert_eq!(
            code("anh.jpg.exe", None, PHOTO_GPS, COMMENT_KINDS, MB),
            Some("content_mismatch")
        );
        // Names.
        let long = format!("{}.jpg", "a".repeat(MAX_NAME_CHARS));
        let ok_long = format!("{}.jpg", "ả".repeat(MAX_NAME_CHARS - 4));
        for bad in [
            "../anh.jpg",
            "C:\\Users\\an\\anh.jpg",
            "anh\n.jpg",
            "anh\0.jpg",
            "anh\u{202E}gpj.exe",
            "",
            "  ",
            "..",
            long.as_str(),
        ] {
            assert_eq!(
                code(bad, None, PHOTO_GPS, COMMENT_KINDS, MB),
                Some("bad_name"),
                "{bad:?}"
            );
        }
        assert_eq!(code(&ok_long, None, PHOTO_GPS, COMMENT_KINDS, MB), None);
        // Name problems are reported first, even for an empty file.
        assert_eq!(
            code("a/b.jpg", None, b"", COMMENT_KINDS, MB),
            Some("bad_name")
        );
    }

    #[test]
    fn error_codes_are_distinct() {
        let errors = [
            AttachmentError::Empty,
            AttachmentError::TooLarge { size: 2, max: 1 },
            AttachmentError::NotAllowedType { detected: None },
            AttachmentError::ContentMismatch {
                detected: FileKind::Png,
                claimed: ".pdf".into(),
            },
            AttachmentError::BadName { reason: "x" },
            AttachmentError::Malformed {
                kind: FileKind::Png,
                reason: "x",
            },
        ];
        let codes: std::collections::HashSet<_> = errors.iter().map(|e| e.code()).collect();
        assert_eq!(codes.len(), errors.len());
    }

    #[test]
    fn safe_file_names() {
        assert_eq!(safe_file_name("Ảnh hồ Gươm.JPG"), "Ảnh hồ Gươm.jpg");
        assert_eq!(
            safe_file_name("Biên bản họp (lần 2).pdf"),
            "Biên bản họp (lần 2).pdf"
        );
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("C:\\Users\\An\\đơn.pdf"), "đơn.pdf");
        assert_eq!(
            safe_file_name("a\"; filename=x.exe.pdf"),
            "a_ filename_x.exe.pdf"
        );
        assert_eq!(safe_file_name("anh\u{202E}gpj.exe"), "anh_gpj.exe");
        assert_eq!(safe_file_name(".htaccess"), "htaccess");
        assert_eq!(safe_file_name("..."), "file");
        assert_eq!(safe_file_name(""), "file");
        assert_eq!(safe_file_name(".jpg"), "file.jpg");
        assert_eq!(safe_file_name("-rf  *.png"), "rf.png");
        assert_eq!(safe_file_name("con.pdf"), "_con.pdf");
        assert_eq!(safe_file_name("LPT1"), "_LPT1");
        assert_eq!(safe_file_name("tab\there.pdf"), "tab here.pdf");
        assert_eq!(safe_file_name("a<b>c|d?.png"), "a_b_c_d.png");
        // Decomposed Vietnamese keeps its marks.
        assert_eq!(
            safe_file_name("tho\u{302}\u{301}ng.pdf"),
            "tho\u{302}\u{301}ng.pdf"
        );
        let long = format!("{}.pdf", "ư".repeat(300));
        let safe = safe_file_name(&long);
        assert_eq!(safe.chars().count(), MAX_SAFE_STEM_CHARS + 4);
        assert!(safe.ends_with(".pdf"));
        for name in ["../anh.jpg", "a\u{0}b.png", "x\u{202E}y", "CON", "...."] {
            assert_eq!(check_name(&safe_file_name(name)), Ok(()), "{name:?}");
        }
    }

    #[test]
    fn safe_file_names_for_a_kind() {
        assert_eq!(safe_file_name_for("anh.jpeg", FileKind::Jpeg), "anh.jpeg");
        assert_eq!(safe_file_name_for("anh.PNG", FileKind::Jpeg), "anh.jpg");
        assert_eq!(safe_file_name_for("anh", FileKind::Png), "anh.png");
        assert_eq!(
            safe_file_name_for("Biên bản 12.3.2024", FileKind::Pdf),
            "Biên bản 12.3.2024.pdf"
        );
        assert_eq!(safe_file_name_for("x.exe", FileKind::Pdf), "x.pdf");
    }

    #[test]
    fn strips_exif_gps_xmp_iptc_and_comments_from_jpeg() {
        // The fixture carries all of it.
        for needle in [
            &b"Exif\0\0"[..],
            b"WGS-84",
            b"GopyTestCam",
            b"http://ns.adobe.com/xap/1.0/",
            b"GPSLatitude",
            b"Photoshop 3.0",
            b"Nguyen Van An",
            b"Chup tai Ho Guom",
            &[0xAA, 0x01, 0, 0, 0x0A, 0, 0, 0],
        ] {
            assert!(contains(PHOTO_GPS, needle), "fixture lacks {needle:?}");
        }
        assert_eq!(
            jpeg_markers(PHOTO_GPS),
            [
                0xE0, 0xE1, 0xED, 0xE1, 0xE2, 0xFE, 0xDB, 0xDB, 0xC0, 0xC4, 0xC4, 0xC4, 0xC4, 0xDD,
                0xDA, 0xD9
            ]
        );

        let clean = strip_metadata(FileKind::Jpeg, PHOTO_GPS).expect("strip");
        assert!(clean.starts_with(&[0xFF, SOI]));
        assert!(clean.ends_with(&[0xFF, EOI]));
        for needle in [
            &b"Exif"[..],
            b"WGS-84",
            b"GopyTestCam",
            b"GopyPhone",
            b"http://ns.adobe.com/xap/1.0/",
            b"GPSLatitude",
            b"Photoshop",
            b"8BIM",
            b"Nguyen Van An",
            b"Chup tai",
            // The rational 426/10 (42.6 seconds of latitude), as stored in the GPS IFD.
            &[0xAA, 0x01, 0, 0, 0x0A, 0, 0, 0],
        ] {
            assert!(!contains(&clean, needle), "{needle:?} left");
        }
        let markers = jpeg_markers(&clean);
        assert_eq!(
            markers,
            [
                0xE0, 0xE2, 0xDB, 0xDB, 0xC0, 0xC4, 0xC4, 0xC4, 0xC4, 0xDD, 0xDA, 0xD9
            ]
        );
        assert!(!markers.contains(&0xE1) && !markers.contains(&0xED) && !markers.contains(&COM));
        assert!(contains(&clean, b"ICC_PROFILE\0"));
        assert!(contains(&clean, b"JFIF\0"));
        // Everything from the first DQT on (tables, frame, scan with its restart markers,
        // EOI) is byte for byte the original.
        let tables = |b: &[u8]| {
            let at = b.windows(2).position(|w| w == [0xFF, 0xDB]).expect("DQT");
            b[at..].to_vec()
        };
        assert_eq!(tables(&clean), tables(PHOTO_GPS));
        assert!(contains(&clean, &[0xFF, 0xD0]), "restart markers kept");
        // Idempotent.
        assert_eq!(strip_metadata(FileKind::Jpeg, &clean), Ok(clean.clone()));
    }

    #[test]
    fn strips_progressive_jpeg_and_drops_trailing_data() {
        let mut with_trailer = PHOTO_PROGRESSIVE.to_vec();
        with_trailer.extend_from_slice(b"PK\x03\x04 appended archive with Exif inside");
        let clean = strip_metadata(FileKind::Jpeg, &with_trailer).expect("strip");
        assert!(!contains(&clean, b"Exif") && !contains(&clean, b"WGS-84"));
        assert!(!contains(&clean, b"appended"));
        let markers = jpeg_markers(&clean);
        assert!(markers.iter().filter(|m| **m == SOS).count() > 1);
        assert!(markers.contains(&0xC2), "progressive frame kept");
        assert_eq!(
            clean.len(),
            PHOTO_PROGRESSIVE.len() - (jpeg_app1_len(PHOTO_PROGRESSIVE) + 2)
        );
    }

    /// Length field of the first APP1 segment.
    fn jpeg_app1_len(bytes: &[u8]) -> usize {
        let at = bytes
            .windows(2)
            .position(|w| w == [0xFF, 0xE1])
            .expect("APP1");
        be16(bytes, at + 2).expect("length")
    }

    #[test]
    fn jpeg_fill_bytes_and_thumbnails() {
        // Fill bytes before markers are accepted (and dropped); a JFIF thumbnail is removed.
        let mut jfif_thumb = vec![0xFF, SOI, 0xFF, APP0];
        let mut payload = b"JFIF\0\x01\x02\x00\x00\x01\x00\x01\x01\x01".to_vec();
        payload.extend_from_slice(&[1, 2, 3]);
        jfif_thumb.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        jfif_thumb.extend_from_slice(&payload);
        let body = PHOTO_GPS
            .windows(2)
            .position(|w| w == [0xFF, 0xDB])
            .expect("DQT");
        jfif_thumb.extend_from_slice(&[0xFF, 0xFF, 0xFF]);
        jfif_thumb.extend_from_slice(&PHOTO_GPS[body..]);
        let clean = strip_metadata(FileKind::Jpeg, &jfif_thumb).expect("strip");
        assert_eq!(&clean[2..8], &[0xFF, APP0, 0, 16, b'J', b'F']);
        assert_eq!(&clean[18..20], &[0, 0], "thumbnail size zeroed");
        assert_eq!(&clean[20..22], &[0xFF, 0xDB]);
    }

    #[test]
    fn rejects_malformed_jpegs() {
        let malformed = |bytes: &[u8]| strip_metadata(FileKind::Jpeg, bytes).map_err(|e| e.code());
        assert_eq!(malformed(b""), Err("malformed"));
        assert_eq!(malformed(DRAWING), Err("malformed"));
        assert_eq!(malformed(&[0xFF, SOI, 0xFF, EOI]), Err("malformed"));
        assert_eq!(
            malformed(&[0xFF, SOI, 0xFF, 0xE0, 0x00, 0x01]),
            Err("malformed")
        );
        assert_eq!(malformed(&[0xFF, SOI, 0x12, 0x34]), Err("malformed"));
        assert_eq!(malformed(&[0xFF, SOI, 0xFF, SOI]), Err("malformed"));
    }

    #[test]
    fn strips_png_text_time_and_exif_chunks() {
        let original = png_chunks(DRAWING);
        for kind in PNG_METADATA_CHUNKS {
            assert!(
                original.iter().any(|(k, _)| k == kind),
                "fixture lacks {kind:?}"
            );
        }
        let clean = strip_metadata(FileKind::Png, DRAWING).expect("strip");
        let chunks = png_chunks(&clean);
        let kinds: Vec<&[u8]> = chunks.iter().map(|(k, _)| k.as_slice()).collect();
        assert_eq!(kinds, [&b"IHDR"[..], b"IDAT", b"IEND"]);
        for needle in [
            &b"tEXt"[..],
            b"eXIf",
            b"zTXt",
            b"iTXt",
            b"tIME",
            b"Nguyen",
            b"WGS-84",
        ] {
            assert!(!contains(&clean, needle), "{needle:?} left");
        }
        // Kept chunks are byte for byte the original ones.
        let kept: Vec<_> = original
            .into_iter()
            .filter(|(k, _)| !PNG_METADATA_CHUNKS.contains(&k))
            .collect();
        assert_eq!(chunks, kept);
        assert_eq!(strip_metadata(FileKind::Png, &clean), Ok(clean.clone()));
        // Anything after IEND goes.
        let mut trailer = DRAWING.to_vec();
        trailer.extend_from_slice(b"hidden");
        assert_eq!(strip_metadata(FileKind::Png, &trailer), Ok(clean));
    }

    #[test]
    fn rejects_malformed_pngs() {
        let mut bad_crc = DRAWING.to_vec();
        bad_crc[8 + 8] ^= 1; // inside IHDR data
        assert_eq!(
            strip_metadata(FileKind::Png, &bad_crc).map_err(|e| e.code()),
            Err("malformed")
        );
        assert!(strip_metadata(FileKind::Png, PHOTO_GPS).is_err());
        assert!(strip_metadata(FileKind::Png, PNG_MAGIC).is_err());
        let mut huge = PNG_MAGIC.to_vec();
        huge.extend_from_slice(&[0xFF; 8]);
        assert!(strip_metadata(FileKind::Png, &huge).is_err());
    }

    #[test]
    fn other_kinds_are_unchanged() {
        for (kind, bytes) in [
            (FileKind::Pdf, LETTER),
            (FileKind::Docx, MINUTES),
            (FileKind::Xlsx, BUDGET),
        ] {
            assert_eq!(strip_metadata(kind, bytes).as_deref(), Ok(bytes));
        }
    }

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
    }

    #[test]
    fn truncated_files_never_panic() {
        for (kind, full) in [
            (FileKind::Jpeg, PHOTO_GPS),
            (FileKind::Jpeg, PHOTO_PROGRESSIVE),
            (FileKind::Png, DRAWING),
        ] {
            for len in 0..full.len() {
                let cut = &full[..len];
                assert!(strip_metadata(kind, cut).is_err(), "{kind} cut at {len}");
                let _ = sniff(cut);
                let _ = check("a.jpg", None, cut, CONSULTATION_KINDS, MB);
            }
            assert!(strip_metadata(kind, full).is_ok());
        }
        for full in [MINUTES, BUDGET, ARCHIVE, LETTER] {
            for len in 0..full.len() {
                let _ = sniff(&full[..len]);
            }
        }
    }

    #[test]
    fn corrupted_files_never_panic() {
        // Deterministic xorshift so failures are reproducible.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for (kind, full) in [
            (FileKind::Jpeg, PHOTO_GPS),
            (FileKind::Jpeg, PHOTO_PROGRESSIVE),
            (FileKind::Png, DRAWING),
            (FileKind::Docx, MINUTES),
            (FileKind::Xlsx, BUDGET),
        ] {
            // Every byte set to the values that matter most to the walkers.
            for at in 0..full.len() {
                for value in [0x00, 0xFF, 0xD9, 0xDA, 0x01] {
                    let mut bytes = full.to_vec();
                    bytes[at] = value;
                    let _ = strip_metadata(kind, &bytes);
                    let _ = sniff(&bytes);
                }
            }
            // Random multi-byte corruption.
            for _ in 0..2000 {
                let mut bytes = full.to_vec();
                for _ in 0..(next() % 8 + 1) {
                    let at = (next() % bytes.len() as u64) as usize;
                    bytes[at] = next() as u8;
                }
                let _ = strip_metadata(kind, &bytes);
                let _ = sniff(&bytes);
            }
        }
    }
}
