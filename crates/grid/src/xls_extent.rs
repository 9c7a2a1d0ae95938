//! A guard in front of calamine's .xls reader.
//!
//! calamine reads every sheet of an .xls when the workbook is opened, and stores each
//! as a dense grid from its first to its last cell; it also reserves the area that a
//! sheet's DIMENSIONS record declares. A 40 KB file with one cell at row 65,535 and
//! column 65,535 (the fuzzer made one) asks for 137 GB, and a failed allocation aborts
//! the process: no `catch_unwind` can stop it, and a batch of a thousand files would
//! die on that one. So before calamine sees an .xls, this walks the records calamine
//! walks, sheet by sheet from the positions the workbook's BOUNDSHEET records give, and
//! computes the cells calamine would allocate. Every count here is an upper bound of
//! calamine's.
//!
//! calamine finds the workbook stream with its own compound-file reader, which also
//! sees directory entries that are not linked into the directory tree: a file whose
//! unlinked `Workbook` entry held a cell at 65535,65535, followed by a harmless linked
//! one, passed this guard and still cost 137 GB. So calamine is never given the file
//! itself: [`workbook_stream`] takes the one stream it checked (the first named
//! `Workbook`, else `Book`, as calamine chooses) and the reader hands calamine a new
//! compound file that holds only that stream.

use std::io::{Cursor, Read};

/// The area calamine would allocate for the largest sheet, and that sheet's position
/// (1-based) and extent in rows and columns; and the text its cells copy.
pub struct Extent {
    pub cells: u64,
    pub text: u64,
    pub sheet: usize,
    pub rows: u64,
    pub cols: u64,
}

/// The container or its workbook stream could not be read (see [`workbook_stream`]).
#[derive(Debug)]
pub struct Unreadable;

/// The workbook stream that was checked, and what calamine would allocate for it.
pub struct Checked {
    /// The stream's bytes, for calamine.
    pub stream: Vec<u8>,
    /// The cells calamine would allocate for all sheets together.
    pub cells: u64,
    /// The text calamine's cells would copy, all sheets together (an upper bound, in
    /// bytes of UTF-8): each cell that refers to a shared string copies it.
    pub text: u64,
    /// The largest sheet (`None` for a workbook without sheets).
    pub largest: Option<Extent>,
}

/// The workbook stream and its extent. `Err` when the compound-file container or its
/// workbook stream cannot be read by the `cfb` crate: calamine's own container reader
/// is more lenient, and the fuzzer found a container it accepted whose records then
/// asked for petabytes, so such a file is refused rather than handed to calamine
/// unchecked.
pub fn workbook_stream(bytes: &[u8]) -> Result<Checked, Unreadable> {
    let mut cfb = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|_| Unreadable)?;
    let named = |name: &str| {
        cfb.walk()
            .find(|e| e.is_stream() && e.name().eq_ignore_ascii_case(name))
            .map(|e| e.path().to_path_buf())
    };
    let path = named("Workbook")
        .or_else(|| named("Book"))
        .ok_or(Unreadable)?;
    let mut stream = Vec::new();
    cfb.open_stream(&path)
        .map_err(|_| Unreadable)?
        .take(crate::MAX_FILE_BYTES)
        .read_to_end(&mut stream)
        .map_err(|_| Unreadable)?;
    let mut cells: u64 = 0;
    let mut text: u64 = 0;
    let mut largest: Option<Extent> = None;
    let (positions, strings) = globals(&stream);
    for (i, pos) in positions.into_iter().enumerate() {
        let Some(sheet) = stream.get(pos..) else {
            continue;
        };
        let e = sheet_extent(sheet, i + 1, &strings);
        cells = cells.saturating_add(e.cells);
        text = text.saturating_add(e.text);
        if largest.as_ref().is_none_or(|b| e.cells > b.cells) {
            largest = Some(e);
        }
    }
    Ok(Checked {
        stream,
        cells,
        text,
        largest,
    })
}

/// A compound file holding only `stream`, as `/Workbook`: what calamine is given.
pub fn container(stream: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut c = cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))?;
    std::io::Write::write_all(&mut c.create_stream("/Workbook")?, stream)?;
    c.flush()?;
    Ok(c.into_inner().into_inner())
}

/// The records of a stream: (type, data). Stops at the first truncated record, as
/// calamine does (it then fails, after reading what came before).
fn records(stream: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut rest = stream;
    std::iter::from_fn(move || {
        let typ = u16::from_le_bytes([*rest.first()?, *rest.get(1)?]);
        let len = u16::from_le_bytes([*rest.get(2)?, *rest.get(3)?]) as usize;
        let data = rest.get(4..4 + len)?;
        rest = &rest[4 + len..];
        Some((typ, data))
    })
}

fn u16_at(d: &[u8], i: usize) -> Option<u32> {
    Some(u32::from(u16::from_le_bytes([*d.get(i)?, *d.get(i + 1)?])))
}

fn u32_at(d: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_le_bytes(d.get(i..i + 4)?.try_into().ok()?))
}

/// Stream positions of the sheets (BOUNDSHEET records of the globals substream), and
/// the length of each shared string (SST and its CONTINUE records).
fn globals(stream: &[u8]) -> (Vec<usize>, Vec<u64>) {
    let mut out = Vec::new();
    let mut sst: Option<Vec<&[u8]>> = None;
    let mut strings = Vec::new();
    for (typ, data) in records(stream) {
        if typ != 0x003C
            && let Some(segments) = sst.take()
        {
            strings = string_lengths(&segments);
        }
        match typ {
            0x0085 => {
                if let Some(pos) = u32_at(data, 0) {
                    out.push(pos as usize);
                }
            }
            0x00FC => sst = Some(vec![data.get(8..).unwrap_or_default()]),
            0x003C => {
                if let Some(s) = sst.as_mut() {
                    s.push(data);
                }
            }
            0x000A => break, // EOF of the globals
            _ => {}
        }
    }
    if let Some(segments) = sst {
        strings = string_lengths(&segments);
    }
    (out, strings)
}

/// The UTF-8 length, at most, of each string of a shared-string table split over
/// `segments` (the SST record after its two counts, then each CONTINUE record). A
/// string's characters that run into the next segment go on after one option byte
/// there (which says whether they are 1 or 2 bytes each); everything else runs on
/// as is. A character is taken as 3 bytes of UTF-8 (an upper bound).
fn string_lengths(segments: &[&[u8]]) -> Vec<u64> {
    struct Cursor<'a> {
        segments: &'a [&'a [u8]],
        seg: usize,
        pos: usize,
    }
    impl Cursor<'_> {
        fn at_end_of_segment(&mut self) -> bool {
            while self.seg < self.segments.len() && self.pos >= self.segments[self.seg].len() {
                self.seg += 1;
                self.pos = 0;
            }
            self.seg >= self.segments.len()
        }
        fn byte(&mut self) -> Option<u8> {
            if self.at_end_of_segment() {
                return None;
            }
            let b = self.segments[self.seg][self.pos];
            self.pos += 1;
            Some(b)
        }
        fn skip(&mut self, mut n: u64) -> Option<()> {
            while n > 0 {
                if self.at_end_of_segment() {
                    return None;
                }
                let left = (self.segments[self.seg].len() - self.pos) as u64;
                let step = left.min(n);
                self.pos += step as usize;
                n -= step;
            }
            Some(())
        }
        fn u16(&mut self) -> Option<u64> {
            Some(u64::from(self.byte()?) | u64::from(self.byte()?) << 8)
        }
        fn u32(&mut self) -> Option<u64> {
            Some(self.u16()? | self.u16()? << 16)
        }
        /// `chars` characters, 1 or 2 bytes each as `wide` says, re-read at each new
        /// segment.
        fn chars(&mut self, mut chars: u64, mut wide: bool) -> Option<()> {
            while chars > 0 {
                let seg = self.seg;
                if self.at_end_of_segment() {
                    return None;
                }
                if self.seg != seg {
                    wide = self.byte()? & 1 != 0;
                    continue;
                }
                let width = if wide { 2 } else { 1 };
                let left = (self.segments[self.seg].len() - self.pos) as u64 / width;
                let step = left.clamp(1, chars);
                self.skip(step * width)?;
                chars -= step;
            }
            Some(())
        }
    }
    let mut c = Cursor {
        segments,
        seg: 0,
        pos: 0,
    };
    let mut out = Vec::new();
    while let Some(cch) = c.u16() {
        let Some(flags) = c.byte() else { break };
        let runs = if flags & 0x08 != 0 { c.u16() } else { Some(0) };
        let ext = if flags & 0x04 != 0 { c.u32() } else { Some(0) };
        let (Some(runs), Some(ext)) = (runs, ext) else {
            break;
        };
        out.push(cch * 3);
        if c.chars(cch, flags & 0x01 != 0).is_none()
            || c.skip(runs * 4).is_none()
            || c.skip(ext).is_none()
        {
            break;
        }
    }
    out
}

/// The bounding box of a sheet's cells, and the area its DIMENSIONS record would
/// reserve, walked as calamine walks (nested substreams such as embedded charts
/// skipped, the first EOF ends the sheet).
fn sheet_extent(sheet: &[u8], index: usize, strings: &[u64]) -> Extent {
    let mut text: u64 = 0;
    let mut bbox: Option<(u32, u32, u32, u32)> = None; // min row, max row, min col, max col
    let mut add = |row: u32, col: u32| {
        let b = bbox.get_or_insert((row, row, col, col));
        b.0 = b.0.min(row);
        b.1 = b.1.max(row);
        b.2 = b.2.min(col);
        b.3 = b.3.max(col);
    };
    let mut reserved: u64 = 0;
    let mut fmla_pos = (0, 0);
    let mut seen_bof = false;
    let mut depth = 0usize;
    for (typ, d) in records(sheet) {
        if depth > 0 {
            match typ {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        match typ {
            0x0809 if seen_bof => depth += 1,
            0x0809 => seen_bof = true,
            0x000A => break,
            0x0200 => reserved = reserved.saturating_add(dimensions_area(d)),
            // Number, Label, RString, BoolErr, Rk, LabelSst: row and column first.
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD => {
                if let (Some(r), Some(c)) = (u16_at(d, 0), u16_at(d, 2)) {
                    add(r, c);
                }
                let copied = match typ {
                    // LabelSst copies its shared string; the others hold their own.
                    0x00FD => u32_at(d, 6).and_then(|i| strings.get(i as usize).copied()),
                    0x0204 | 0x00D6 => Some(d.len() as u64 * 3),
                    _ => None,
                };
                text = text.saturating_add(copied.unwrap_or(0));
            }
            // MulRk: row, first column, …, last column.
            0x00BD => {
                if let (Some(r), Some(c0), Some(c1)) = (
                    u16_at(d, 0),
                    u16_at(d, 2),
                    d.len().checked_sub(2).and_then(|i| u16_at(d, i)),
                ) {
                    add(r, c0);
                    add(r, c1);
                }
            }
            // Formula: its position is also that of a following String record.
            0x0006 => {
                if let (Some(r), Some(c)) = (u16_at(d, 0), u16_at(d, 2)) {
                    fmla_pos = (r, c);
                    add(r, c);
                }
            }
            0x0207 => add(fmla_pos.0, fmla_pos.1),
            _ => {}
        }
    }
    let (rows, cols) = match bbox {
        Some((r0, r1, c0, c1)) => (u64::from(r1 - r0) + 1, u64::from(c1 - c0) + 1),
        None => (0, 0),
    };
    Extent {
        cells: rows.saturating_mul(cols).saturating_add(reserved),
        text,
        sheet: index,
        rows,
        cols,
    }
}

/// The cells calamine reserves for a DIMENSIONS record (its arithmetic, which wraps).
fn dimensions_area(d: &[u8]) -> u64 {
    let fields = match d.len() {
        10 => (u16_at(d, 0), u16_at(d, 2), u16_at(d, 4), u16_at(d, 6)),
        14 | 16 => (u32_at(d, 0), u32_at(d, 4), u16_at(d, 8), u16_at(d, 10)),
        _ => return 0,
    };
    let (Some(rf), Some(rl), Some(mut cf), Some(cl)) = fields else {
        return 0;
    };
    if 0xFF < cf || cl < cf {
        cf = 0;
    }
    let (start, end) = if 1 <= rl && 1 <= cl {
        ((rf, cf), (rl - 1, cl - 1))
    } else {
        ((rf, cf), (rf, cf))
    };
    let rows = end.0.wrapping_sub(start.0).wrapping_add(1) as u64;
    let cols = end.1.wrapping_sub(start.1).wrapping_add(1) as u64;
    rows.saturating_mul(cols)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut v = typ.to_le_bytes().to_vec();
        v.extend((data.len() as u16).to_le_bytes());
        v.extend(data);
        v
    }

    fn cell(typ: u16, row: u16, col: u16) -> Vec<u8> {
        let mut d = row.to_le_bytes().to_vec();
        d.extend(col.to_le_bytes());
        d.extend([0u8; 10]);
        rec(typ, &d)
    }

    #[test]
    fn bounding_box_of_cell_records() {
        let mut s = rec(0x0809, &[0; 16]);
        s.extend(cell(0x0203, 2, 1));
        s.extend(cell(0x00FD, 40, 5));
        s.extend(rec(0x0809, &[0; 16])); // an embedded chart: skipped
        s.extend(cell(0x0203, 60_000, 200));
        s.extend(rec(0x000A, &[]));
        s.extend(rec(0x000A, &[]));
        s.extend(cell(0x0203, 65_535, 65_535)); // after the sheet's EOF
        let e = sheet_extent(&s, 1, &[]);
        assert_eq!((e.rows, e.cols, e.cells), (39, 5, 39 * 5));
    }

    /// A BIFF stream: globals with one BOUNDSHEET, then a sheet with cells at
    /// `(0, 0)` and `corner`.
    fn biff(corner: (u16, u16)) -> Vec<u8> {
        let globals_len = 4 + 16 + 4 + 8 + 4; // BOF, BOUNDSHEET, EOF
        let mut s = rec(0x0809, &[0; 16]);
        let mut bs = (globals_len as u32).to_le_bytes().to_vec();
        bs.extend([0, 0, 0, 0]);
        s.extend(rec(0x0085, &bs));
        s.extend(rec(0x000A, &[]));
        assert_eq!(s.len(), globals_len);
        s.extend(rec(0x0809, &[0; 16]));
        s.extend(cell(0x0203, 0, 0));
        s.extend(cell(0x0203, corner.0, corner.1));
        s.extend(rec(0x000A, &[]));
        s
    }

    #[test]
    fn the_stream_checked_is_the_one_calamine_would_choose() {
        // calamine takes the first entry named Workbook in any storage, else Book; a
        // benign Book at the root must not hide a huge Workbook elsewhere.
        let mut c = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
        std::io::Write::write_all(&mut c.create_stream("/Book").unwrap(), &biff((3, 3))).unwrap();
        c.create_storage("/x").unwrap();
        std::io::Write::write_all(
            &mut c.create_stream("/x/WORKBOOK").unwrap(),
            &biff((65_535, 255)),
        )
        .unwrap();
        c.flush().unwrap();
        let bytes = c.into_inner().into_inner();
        let checked = workbook_stream(&bytes).unwrap();
        let e = checked.largest.unwrap();
        assert_eq!((e.rows, e.cols, e.sheet), (65_536, 256, 1));
        assert_eq!(checked.stream, biff((65_535, 255)));
        // The new container holds that stream and nothing else.
        let again = workbook_stream(&container(&checked.stream).unwrap()).unwrap();
        assert_eq!(again.stream, checked.stream);
        assert!(workbook_stream(b"not a compound file").is_err());
    }

    #[test]
    fn shared_string_lengths_across_continue_records() {
        // "ab" (1 byte a character); "中文字" (2 bytes a character) split after its first
        // character, the CONTINUE starting with the option byte; then "xyz" with one
        // formatting run.
        let first: Vec<u8> = [&[2u8, 0, 0][..], b"ab", &[3, 0, 1], &[0x2D, 0x4E]].concat();
        let second: Vec<u8> = [
            &[1u8][..],
            &[0x87, 0x65, 0x57, 0x5B],
            &[3, 0, 0x08, 1, 0],
            b"xyz",
            &[0; 4],
        ]
        .concat();
        assert_eq!(string_lengths(&[&first, &second]), vec![6, 9, 9]);
        // Truncated: what was read so far.
        assert_eq!(string_lengths(&[&first]), vec![6, 9]);
    }

    #[test]
    fn dimensions_are_counted_as_calamine_reserves_them() {
        // BIFF8: first row 0, last row + 1 = 100, first col 0, last col + 1 = 10.
        let mut d = 0u32.to_le_bytes().to_vec();
        d.extend(100u32.to_le_bytes());
        d.extend(0u16.to_le_bytes());
        d.extend(10u16.to_le_bytes());
        d.extend([0, 0]);
        assert_eq!(dimensions_area(&d), 1000);
        // A last row before the first wraps around in calamine: counted as huge.
        let mut d = 50u32.to_le_bytes().to_vec();
        d.extend(10u32.to_le_bytes());
        d.extend(0u16.to_le_bytes());
        d.extend(10u16.to_le_bytes());
        d.extend([0, 0]);
        assert!(dimensions_area(&d) > 1 << 32);
    }
}
