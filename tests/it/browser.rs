//! The page in a real browser: headless Chromium driven over WebDriver (Debian's
//! `chromium` and `chromium-driver`, installed by `.ci/run`). Drop three samples, wait
//! for their results, open a finding's cells, download the outputs and read them back,
//! run the several-file zip. A screenshot of each state is written to
//! `$YUSUAN_SCREENSHOTS` (default: the tests' target temporary folder); the README's
//! pictures are these (`scripts/serve-screenshots.sh`).
//!
//! Without chromedriver on the PATH the test has nothing to drive and returns, unless
//! `YUSUAN_BROWSER_TEST=required` (as CI sets it), where that is a failure.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

use crate::common::*;

fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/lib/chromium")])
        .flat_map(|d| names.iter().map(move |n| d.join(n)))
        .find(|p| p.is_file())
}

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn shots() -> PathBuf {
    let dir = std::env::var_os("YUSUAN_SCREENSHOTS").map_or_else(
        || Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots"),
        PathBuf::from,
    );
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    std::fs::write(shots().join(name), png).unwrap();
}

/// Poll `f` until it gives `Some`, for at most 30 s.
async fn until<T, F, Fut>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A finished download of that name in `dir`.
async fn downloaded(dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    until(name, || {
        let p = p.clone();
        async move {
            let partial = std::fs::read_dir(p.parent()?)
                .ok()?
                .any(|e| e.is_ok_and(|e| e.path().extension().is_some_and(|x| x == "crdownload")));
            (p.is_file() && !partial).then_some(p)
        }
    })
    .await
}

async fn badges(c: &Client) -> Vec<String> {
    let v = c
        .execute(
            "return Array.from(document.querySelectorAll('article.file')).map(a => \
             a.querySelector('h2').textContent + '|' + a.querySelector('.badge').textContent)",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(v).unwrap()
}

async fn article(c: &Client, file: &str) -> fantoccini::elements::Element {
    for a in c.find_all(Locator::Css("article.file")).await.unwrap() {
        let name = a
            .find(Locator::Css("h2"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if name == file {
            return a;
        }
    }
    panic!("no card for {file}");
}

async fn click_button(c: &Client, file: &str, label: &str) {
    let a = article(c, file).await;
    for b in a.find_all(Locator::Css("button.download")).await.unwrap() {
        if b.text().await.unwrap() == label {
            b.click().await.unwrap();
            return;
        }
    }
    panic!("no button {label} for {file}");
}

#[test]
fn the_page_checks_dropped_workbooks_shows_the_cells_and_downloads_the_outputs() {
    let (Some(driver), Some(chromium)) = (
        on_path(&["chromedriver"]),
        on_path(&["chromium", "chromium-browser", "google-chrome"]),
    ) else {
        assert!(
            std::env::var_os("YUSUAN_BROWSER_TEST").is_none(),
            "YUSUAN_BROWSER_TEST is set but chromedriver or chromium is not on the PATH"
        );
        return;
    };
    let served = crate::serve::serve();
    let port = free_port();
    let _driver = Driver(
        Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let downloads = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(drive(&served.addr, port, &chromium, downloads.path()));
}

async fn drive(addr: &str, port: u16, chromium: &Path, dl: &Path) {
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1500", "--lang=zh-CN"],
            "prefs": {
                "download.default_directory": dl,
                "download.prompt_for_download": false,
            }
        }
    });
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let c = until("chromedriver", || {
        let caps = caps.as_object().unwrap().clone();
        let connector = connector.clone();
        async move {
            ClientBuilder::new(connector)
                .capabilities(caps)
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
                .ok()
        }
    })
    .await;
    c.goto(&format!("http://{addr}/")).await.unwrap();
    assert_eq!(c.title().await.unwrap(), "yusuan · 预决算公开检查");
    shot(&c, "1-打开.png").await;
    // drop three workbooks (through the page's file input)
    let names = [
        "luojiang-zhengxieban-2023",
        "shanghai-wanli-2024",
        "shanghai-shgz-2024-final",
    ];
    let paths: Vec<String> = names
        .iter()
        .map(|n| sample(n).display().to_string())
        .collect();
    let input = c.find(Locator::Css("#files")).await.unwrap();
    input.send_keys(&paths.join("\n")).await.unwrap();
    let got = until("the three results", || async {
        let b = badges(&c).await;
        (b.len() == 3 && b.iter().all(|x| !x.ends_with("|等待"))).then_some(b)
    })
    .await;
    assert_eq!(
        got,
        [
            "luojiang-zhengxieban-2023.xlsx|通过",
            "shanghai-wanli-2024.xlsx|有警告",
            "shanghai-shgz-2024-final.xlsx|通过",
        ]
    );
    shot(&c, "2-检查结果.png").await;
    // the 决算's K104 finding: 302 商品和服务支出 10.23, its 款 F5:F31 outlined
    let card = article(&c, "shanghai-shgz-2024-final.xlsx").await;
    let mut clicked = false;
    for li in card
        .find_all(Locator::Css("li.finding.clickable"))
        .await
        .unwrap()
    {
        if li.text().await.unwrap().contains("K104") {
            li.click().await.unwrap();
            clicked = true;
            break;
        }
    }
    assert!(clicked, "no clickable K104 finding");
    let hit = until("the grid", || async {
        let e = c.find(Locator::Css("#grid td.cell-hit")).await.ok()?;
        e.text().await.ok()
    })
    .await;
    assert_eq!(hit, "10.23");
    let related = c.find_all(Locator::Css("#grid td.cell-rel")).await.unwrap();
    assert_eq!(related.len(), 27);
    shot(&c, "3-查看单元格.png").await;
    c.find(Locator::Css("#grid-close"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // downloads, read back
    let file = "shanghai-shgz-2024-final.xlsx";
    click_button(&c, file, "公开表").await;
    let public = downloaded(dl, "shanghai-shgz-2024-final.公开.xlsx").await;
    let b = load(&public);
    assert_eq!(b.stage, yusuan_core::Stage::Final);
    assert_same_figures(
        &b,
        &load(&sample("shanghai-shgz-2024-final")),
        "downloaded 公开表",
    );
    click_button(&c, file, "问题清单").await;
    let report = downloaded(dl, "shanghai-shgz-2024-final.问题清单.xlsx").await;
    let listed = grid(&report);
    assert!(
        listed
            .sheets
            .iter()
            .flat_map(|s| s.cells())
            .any(|(_, _, c)| c.as_text() == Some("K104")),
        "the downloaded 问题清单 lists K104"
    );
    click_button(&c, file, "标注副本").await;
    downloaded(dl, "shanghai-shgz-2024-final.标注副本.xlsx").await;
    click_button(&c, file, "情况说明（Word）").await;
    downloaded(dl, "shanghai-shgz-2024-final.情况说明.docx").await;
    // several files: the zip of the batch
    c.find(Locator::Css("#batch-run"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let zip = downloaded(dl, "yusuan-批量结果.zip").await;
    let mut z = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    assert!(z.by_name("汇总表.xlsx").is_ok());
    let status = c
        .find(Locator::Css("#batch-status"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(status.contains("共 3 个文件"), "{status}");
    shot(&c, "4-批量下载.png").await;
    c.close().await.unwrap();
}
