//! Reading text files in the encodings Japanese government data comes in: UTF-8 (with or without
//! a byte-order mark) and Shift_JIS/CP932.

use std::path::Path;

use crate::LoadError;

/// A text encoding the loader reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8, with or without BOM.
    Utf8,
    /// Shift_JIS as Windows writes it (CP932, with the NEC and IBM extensions).
    ShiftJis,
    /// An Excel workbook (xlsx), whose text cells are Unicode.
    Workbook,
}

/// Decodes `bytes` read from `path`: UTF-8 when they are valid UTF-8 (a BOM is dropped), else
/// CP932; bytes valid in neither are a fatal error rather than silently replaced characters.
pub fn decode(path: &Path, bytes: &[u8]) -> Result<(String, TextEncoding), LoadError> {
    let without_bom = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(without_bom) {
        return Ok((text.to_owned(), TextEncoding::Utf8));
    }
    // encoding_rs's Shift_JIS is the WHATWG definition, which is CP932.
    let mut decoder = encoding_rs::SHIFT_JIS.new_decoder_without_bom_handling();
    // The decoder writes only into the capacity it is given, so give it the most the input can
    // need: a half-width katakana byte becomes three bytes of UTF-8.
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .ok_or_else(|| LoadError::Encoding { path: path.to_owned(), offset: 0 })?;
    let mut text = String::with_capacity(capacity);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut text, true);
    match result {
        encoding_rs::DecoderResult::InputEmpty => Ok((text, TextEncoding::ShiftJis)),
        encoding_rs::DecoderResult::Malformed(bad, _) => Err(LoadError::Encoding {
            path: path.to_owned(),
            offset: read.saturating_sub(usize::from(bad)),
        }),
        // Cannot happen with the capacity above; reported where the output stopped rather
        // than trusted.
        encoding_rs::DecoderResult::OutputFull => {
            Err(LoadError::Encoding { path: path.to_owned(), offset: read })
        }
    }
}

/// Reads and decodes a text file.
pub fn read_text(path: &Path) -> Result<(String, TextEncoding), LoadError> {
    let bytes =
        std::fs::read(path).map_err(|source| LoadError::Io { path: path.to_owned(), source })?;
    decode(path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(bytes: &[u8], expected: Option<(&str, TextEncoding)>) {
        let got = decode(Path::new("t.csv"), bytes).ok();
        assert_eq!(got.as_ref().map(|(t, e)| (t.as_str(), *e)), expected);
    }

    #[test]
    fn reads_utf8_with_and_without_bom() {
        check("蓮田市".as_bytes(), Some(("蓮田市", TextEncoding::Utf8)));
        check(b"\xEF\xBB\xBFa,b", Some(("a,b", TextEncoding::Utf8)));
    }

    #[test]
    fn reads_cp932_including_nec_extensions() {
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode("蓮田市大字黒浜４１４７");
        check(&bytes, Some(("蓮田市大字黒浜４１４７", TextEncoding::ShiftJis)));
        // ① is an NEC special character: in CP932 but not in JIS X 0208 Shift_JIS.
        check(b"\x87\x40", Some(("①", TextEncoding::ShiftJis)));
    }

    #[test]
    fn reads_cp932_half_width_katakana_which_triples_in_utf8() {
        // ﾄｳｷｮｳ: five one-byte characters that become fifteen bytes of UTF-8.
        check(b"\xC4\xB3\xB7\xAE\xB3", Some(("ﾄｳｷｮｳ", TextEncoding::ShiftJis)));
    }

    #[test]
    fn rejects_bytes_that_are_neither() {
        let err = decode(Path::new("t.csv"), b"ok\xFF\xFF").unwrap_err();
        assert!(err.to_string().contains("not valid UTF-8 or Shift_JIS/CP932"), "{err}");
    }
}
