//! What the corpora of broken and hostile files share: zips with fixed timestamps (so
//! the bytes never change), the parts of a zip, and writing a set of files out.

use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

fn io(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// A zip of `(name, bytes, stored?)` (deflated unless stored) with fixed timestamps.
pub(crate) fn zip_of(entries: &[(&str, &[u8], bool)]) -> std::io::Result<Vec<u8>> {
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data, stored) in entries {
        let method = if *stored {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let opts = zip::write::SimpleFileOptions::default()
            .last_modified_time(zip::DateTime::default())
            .compression_method(method);
        z.start_file(*name, opts).map_err(io)?;
        z.write_all(data)?;
    }
    Ok(z.finish().map_err(io)?.into_inner())
}

/// Every part of a zip, as `(name, bytes)`, in directory order.
pub(crate) fn parts(zipped: &[u8]) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut zin = zip::ZipArchive::new(Cursor::new(zipped)).map_err(io)?;
    let mut out = Vec::new();
    for i in 0..zin.len() {
        let mut e = zin.by_index(i).map_err(io)?;
        let name = e.name().map_err(io)?.to_string();
        let mut data = Vec::new();
        e.read_to_end(&mut data)?;
        out.push((name, data));
    }
    Ok(out)
}

/// Write each `(name, bytes)` into `dir`; the paths, in the order given.
pub(crate) fn write_all(dir: &Path, files: Vec<(&str, Vec<u8>)>) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for (name, bytes) in files {
        let p = dir.join(name);
        std::fs::write(&p, bytes)?;
        out.push(p);
    }
    Ok(out)
}
