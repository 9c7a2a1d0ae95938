//! `yusuan serve`, through its HTTP API (no browser): the same JSON and the same files
//! as the command line, requests from another site refused, 50 uploads at once, hostile
//! files answered and the server still up, malformed requests told why in Chinese.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::common::*;

/// A running `yusuan serve --port 0`, stopped when dropped.
pub struct Served {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fixed date for every output (the cover's date, the documents' times), so that the
/// server's files can be compared with the command line's byte for byte.
pub const EPOCH: &str = "1767225600"; // 2026-01-01

pub fn serve() -> Served {
    serve_with(&[])
}

pub fn serve_with(extra: &[&str]) -> Served {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("yusuan"))
        .args(["serve", "--port", "0"])
        .args(extra)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    Served { child, addr }
}

/// One HTTP/1.1 exchange: status, headers (lower-case names), body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Answer {
    let mut s = TcpStream::connect(addr).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("Host: {addr}\r\n"));
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

/// A multipart/form-data body of (field, file name, bytes).
pub fn multipart(parts: &[(&str, &str, Vec<u8>)]) -> (String, Vec<u8>) {
    let boundary = "----yusuan-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (field, name, bytes) in parts {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub fn upload(addr: &str, path: &str, files: &[(&str, &Path)]) -> Answer {
    let parts: Vec<(&str, &str, Vec<u8>)> = files
        .iter()
        .map(|(field, p)| {
            (
                *field,
                p.file_name().unwrap().to_str().unwrap(),
                std::fs::read(p).unwrap(),
            )
        })
        .collect();
    let (ct, body) = multipart(&parts);
    request(addr, "POST", path, &[("Content-Type", &ct)], &body)
}

/// `yusuan ARGS` run in `dir`, with the fixed date: (exit code, stdout).
fn cli(dir: &Path, args: &[&str]) -> (i32, Vec<u8>) {
    let out = Command::new(assert_cmd::cargo::cargo_bin("yusuan"))
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .output()
        .unwrap();
    (out.status.code().unwrap(), out.stdout)
}

const SAMPLE_NAMES: [&str; 6] = [
    "luojiang-zhengxieban-2023",
    "luojiang-jiaoyuju-2023",
    "luojiang-zhujianju-2023",
    "shanghai-wanli-2024",
    "shanghai-shgz-2024-final",
    "corpus-final-split",
];

fn sample_file(name: &str) -> PathBuf {
    sample(name)
}

#[test]
fn check_gives_the_same_json_as_the_command_line() {
    let s = serve();
    for name in [
        "luojiang-zhengxieban-2023",
        "shanghai-wanli-2024",
        "shanghai-shgz-2024-final",
    ] {
        let a = upload(&s.addr, "/api/check", &[("file", &sample_file(name))]);
        assert_eq!(a.status, 200, "{name}");
        assert_eq!(
            a.header("content-type"),
            Some("application/json; charset=utf-8")
        );
        let file = format!("{name}.xlsx");
        let (_, want) = cli(
            &root().join("samples"),
            &["check", &file, "--format", "json"],
        );
        assert!(
            a.body == want,
            "{name}: the API's JSON differs from the CLI's"
        );
    }
    // with the text as a second upload: the same as `check --narrative`
    let text = root().join("samples/real/shanghai-shgz-2024-final/text.txt");
    let book = sample_file("shanghai-shgz-2024-final");
    let a = upload(
        &s.addr,
        "/api/check",
        &[("file", &book), ("narrative", &text)],
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(&book, dir.path().join("shanghai-shgz-2024-final.xlsx")).unwrap();
    std::fs::copy(&text, dir.path().join("text.txt")).unwrap();
    let (_, want) = cli(
        dir.path(),
        &[
            "check",
            "shanghai-shgz-2024-final.xlsx",
            "--format",
            "json",
            "--narrative",
            "text.txt",
        ],
    );
    assert!(a.body == want);
    assert!(
        a.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "N408")
    );
}

#[test]
fn every_output_is_the_command_lines_file_byte_for_byte() {
    let s = serve();
    let name = "shanghai-wanli-2024";
    let dir = tempfile::tempdir().unwrap();
    let file = format!("{name}.xlsx");
    std::fs::copy(sample_file(name), dir.path().join(&file)).unwrap();
    for (url, args, out) in [
        (
            "/api/convert",
            vec!["convert", &file, "-o"],
            format!("{name}.公开.xlsx"),
        ),
        (
            "/api/output/report",
            vec!["check", &file, "--report"],
            format!("{name}.问题清单.xlsx"),
        ),
        (
            "/api/output/annotated",
            vec!["check", &file, "--annotate"],
            format!("{name}.标注副本.xlsx"),
        ),
        (
            "/api/output/narrative-md",
            vec!["narrative", &file, "-o"],
            format!("{name}.情况说明.md"),
        ),
        (
            "/api/output/narrative-docx",
            vec!["narrative", &file, "-o"],
            format!("{name}.情况说明.docx"),
        ),
    ] {
        let a = upload(&s.addr, url, &[("file", &sample_file(name))]);
        assert_eq!(a.status, 200, "{url}: {}", String::from_utf8_lossy(&a.body));
        let mut args = args.clone();
        args.push(&out);
        cli(dir.path(), &args);
        let want = std::fs::read(dir.path().join(&out)).unwrap();
        assert!(
            a.body == want,
            "{url} differs from `yusuan {}`",
            args.join(" ")
        );
        let cd = a.header("content-disposition").unwrap();
        assert!(cd.starts_with("attachment; filename*=UTF-8''"), "{cd}");
    }
    // a workbook with errors is not published unless asked
    let faulty = faulty_sample(dir.path(), "faulty.xlsx");
    let a = upload(&s.addr, "/api/convert", &[("file", &faulty)]);
    assert_eq!(a.status, 422);
    assert!(a.json()["error"].as_str().unwrap().contains("未生成公开表"));
    let a = upload(&s.addr, "/api/convert?force=1", &[("file", &faulty)]);
    assert_eq!(a.status, 200);
}

#[test]
fn requests_from_another_host_or_site_are_refused() {
    let s = serve();
    let a = request(&s.addr, "GET", "/", &[("Host", "example.com")], b"");
    assert_eq!(a.status, 403);
    assert!(a.json()["error"].as_str().unwrap().contains("拒绝访问"));
    let (ct, body) = multipart(&[(
        "file",
        "a.xlsx",
        std::fs::read(sample_file(SAMPLE_NAMES[0])).unwrap(),
    )]);
    let a = request(
        &s.addr,
        "POST",
        "/api/check",
        &[("Content-Type", &ct), ("Origin", "http://evil.example")],
        &body,
    );
    assert_eq!(a.status, 403);
    assert!(a.json()["error"].as_str().unwrap().contains("其他网站"));
    // the page itself: its own Origin, and localhost as well as 127.0.0.1
    let own = format!("http://{}", s.addr);
    let a = request(
        &s.addr,
        "POST",
        "/api/check",
        &[("Content-Type", &ct), ("Origin", &own)],
        &body,
    );
    assert_eq!(a.status, 200);
    let port = s.addr.rsplit(':').next().unwrap();
    let a = request(
        &s.addr,
        "GET",
        "/",
        &[("Host", &format!("localhost:{port}"))],
        b"",
    );
    assert_eq!(a.status, 200);
    assert!(String::from_utf8_lossy(&a.body).contains("预决算公开检查"));
    // the page loads nothing from elsewhere
    for path in ["/", "/app.js", "/app.css"] {
        let page = String::from_utf8(request(&s.addr, "GET", path, &[], b"").body).unwrap();
        assert!(
            !page.contains("https://") && !page.contains("//cdn"),
            "{path}"
        );
    }
}

#[test]
fn fifty_uploads_at_once_all_get_their_right_answer() {
    let s = serve();
    let want: Vec<serde_json::Value> = SAMPLE_NAMES
        .iter()
        .map(|n| {
            let (_, out) = cli(
                &root().join("samples"),
                &["check", &format!("{n}.xlsx"), "--format", "json"],
            );
            serde_json::from_slice(&out).unwrap()
        })
        .collect();
    let threads: Vec<_> = (0..50)
        .map(|i| {
            let addr = s.addr.clone();
            std::thread::spawn(move || {
                let k = i % SAMPLE_NAMES.len();
                let a = upload(
                    &addr,
                    "/api/check",
                    &[("file", &sample_file(SAMPLE_NAMES[k]))],
                );
                (k, a.status, a.json())
            })
        })
        .collect();
    for t in threads {
        let (k, status, got) = t.join().unwrap();
        assert_eq!(status, 200);
        assert_eq!(got, want[k], "{}", SAMPLE_NAMES[k]);
    }
}

#[test]
fn hostile_files_get_their_answer_and_the_server_stays_up() {
    let s = serve();
    let bad = root().join("tests/fixtures/bad");
    let mut seen = 0;
    for e in std::fs::read_dir(&bad).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x == "md") {
            continue;
        }
        let a = upload(&s.addr, "/api/check", &[("file", &p)]);
        assert_eq!(
            a.status,
            200,
            "{}: {}",
            p.display(),
            String::from_utf8_lossy(&a.body)
        );
        let v = a.json();
        assert!(
            v["error"].is_string() || v["findings"].is_array(),
            "{}",
            p.display()
        );
        seen += 1;
    }
    assert!(seen >= 10, "{seen}");
    let a = upload(
        &s.addr,
        "/api/check",
        &[("file", &sample_file(SAMPLE_NAMES[0]))],
    );
    assert_eq!(a.status, 200);
}

#[test]
fn malformed_requests_are_told_why_in_chinese() {
    let s = serve();
    for (method, path, ct, body, status) in [
        ("POST", "/api/check", "text/plain", b"hello".as_slice(), 400),
        (
            "POST",
            "/api/check",
            "multipart/form-data; boundary=x",
            b"--x\r\nbroken".as_slice(),
            400,
        ),
        ("GET", "/api/check", "text/plain", b"".as_slice(), 400),
        ("GET", "/nothing", "text/plain", b"".as_slice(), 404),
        ("GET", "/api/jobs/12345", "text/plain", b"".as_slice(), 404),
        (
            "POST",
            "/api/output/other",
            "text/plain",
            b"".as_slice(),
            400,
        ),
    ] {
        let a = request(&s.addr, method, path, &[("Content-Type", ct)], body);
        assert_eq!(a.status, status, "{method} {path}");
        let e = a.json()["error"].as_str().unwrap().to_string();
        assert!(
            e.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{e}"
        );
    }
    // a form without its workbook
    let (ct, body) = multipart(&[("narrative", "a.txt", b"text".to_vec())]);
    let a = request(
        &s.addr,
        "POST",
        "/api/check",
        &[("Content-Type", &ct)],
        &body,
    );
    assert_eq!(a.status, 400);
    assert!(
        a.json()["error"]
            .as_str()
            .unwrap()
            .contains("没有收到工作簿")
    );
}

#[test]
fn a_batch_job_runs_and_gives_its_outputs_as_one_zip() {
    let s = serve();
    let files: Vec<PathBuf> = [
        "luojiang-zhengxieban-2023",
        "shanghai-wanli-2024",
        "shanghai-shgz-2024-final",
    ]
    .iter()
    .map(|n| sample_file(n))
    .collect();
    let fields: Vec<(&str, &Path)> = files.iter().map(|p| ("file", p.as_path())).collect();
    let a = upload(&s.addr, "/api/batch", &fields);
    assert_eq!(a.status, 200);
    let id = a.json()["id"].as_str().unwrap().to_string();
    let job = loop {
        let j = request(&s.addr, "GET", &format!("/api/jobs/{id}"), &[], b"").json();
        if j["status"] != "running" {
            break j;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert_eq!(job["status"], "done", "{job}");
    let summary = &job["summary"];
    assert_eq!(summary["files"], 3);
    let stages: Vec<&str> = summary["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["budget", "final", "budget"]);
    let z = request(&s.addr, "GET", &format!("/api/jobs/{id}/zip"), &[], b"");
    assert_eq!(z.status, 200);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(z.body)).unwrap();
    let names: Vec<String> = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().unwrap().to_string())
        .collect();
    for want in [
        "汇总表.xlsx",
        "summary.json",
        "问题清单.xlsx",
        "luojiang-zhengxieban-2023.公开.xlsx",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} in {names:?}");
    }
    let mut json = String::new();
    zip.by_name("summary.json")
        .unwrap()
        .read_to_string(&mut json)
        .unwrap();
    let zipped: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(&zipped, summary);
}

#[test]
fn a_file_over_its_time_is_stopped_with_everything_it_started() {
    let slow = root().join("target/yusuan-it-slow.xlsx");
    if !slow.is_file() {
        let tmp = root().join(format!("target/yusuan-it-slow-{}.tmp", std::process::id()));
        yusuan_testkit::corpus::bad::write_slow(&root(), &tmp).unwrap();
        std::fs::rename(&tmp, &slow).unwrap();
    }
    let s = serve_with(&["--timeout", "1"]);
    let a = upload(&s.addr, "/api/check", &[("file", &slow)]);
    assert_eq!(a.status, 504);
    assert_eq!(a.json()["error"], "处理超过 1 秒，已停止");
    // neither the command nor the supervised child it started is left running
    std::thread::sleep(std::time::Duration::from_millis(300));
    let left: Vec<String> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| std::fs::read(e.ok()?.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains("yusuan-it-slow") && c.contains("check"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    let a = upload(
        &s.addr,
        "/api/check",
        &[("file", &sample_file(SAMPLE_NAMES[0]))],
    );
    assert_eq!(a.status, 200);
}

#[test]
fn a_port_in_use_is_told_in_chinese() {
    let s = serve();
    let port = s.addr.rsplit(':').next().unwrap();
    let out = Command::new(assert_cmd::cargo::cargo_bin("yusuan"))
        .args(["serve", "--port", port])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("端口已被占用"), "{err}");
    assert!(!err.contains("os error"), "{err}");
}
