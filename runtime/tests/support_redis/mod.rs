//! A private `redis-server` per test: started on a free loopback port, killed on drop.
//!
//! A missing `redis-server` fails the test (never skips it): the Redis tests are the only
//! evidence that the shared limiter works.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::Duration;

const INSTALL: &str = "redis-server is needed by the Redis limiter tests: install it with \
                       `apt-get install -y redis-server` (Debian/Ubuntu; it brings redis-cli \
                       and redis-benchmark too)";

/// A running `redis-server` owned by the test.
pub struct RedisServer {
    child: Option<Child>,
    pub port: u16,
}

/// A port nobody listens on now: bind port 0 and let it go (`redis-server --port 0` means
/// "no TCP" rather than "any port").
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}

impl RedisServer {
    /// A fresh server on a free port, answering PING.
    pub fn start() -> RedisServer {
        RedisServer::start_on(free_port())
    }

    /// A fresh server (no persistence) on `port`, answering PING.
    pub fn start_on(port: u16) -> RedisServer {
        RedisServer::start_with(port, &[])
    }

    /// A fresh server (no persistence) on `port` with more `redis-server` options (cluster
    /// mode), answering PING.
    pub fn start_with(port: u16, options: &[&str]) -> RedisServer {
        RedisServer::try_start_with(port, options).unwrap_or_else(|e| panic!("{e}"))
    }

    /// As [`start_with`](Self::start_with), but a server that exits at start (a port taken
    /// meanwhile) is an error, for the caller to try other ports.
    pub fn try_start_with(port: u16, options: &[&str]) -> Result<RedisServer, String> {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .args(options)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start redis-server ({e}). {INSTALL}"));
        let mut server = RedisServer {
            child: Some(child),
            port,
        };
        server.wait_ready()?;
        Ok(server)
    }

    fn wait_ready(&mut self) -> Result<(), String> {
        // A readiness bound, not a timing assertion: redis-server starts in milliseconds.
        for _ in 0..500 {
            if let Some(child) = &mut self.child
                && let Ok(Some(status)) = child.try_wait()
            {
                return Err(format!(
                    "redis-server exited at start ({status}); is port {} taken?",
                    self.port
                ));
            }
            if self.ping() {
                return Ok(());
            }
            sleep(Duration::from_millis(10));
        }
        Err(format!(
            "redis-server on port {} never answered PING",
            self.port
        ))
    }

    fn ping(&self) -> bool {
        matches!(self.try_command(&["PING"]), Some(reply) if reply.starts_with("+PONG"))
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    pub fn client(&self) -> ratespec::redis::Client {
        ratespec::redis::Client::open(self.url()).expect("a valid Redis URL")
    }

    /// Kills the server (SIGKILL): every counter is lost, as in a crash.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Freezes (`SIGSTOP`) or thaws (`SIGCONT`) the server: a slow Redis.
    pub fn signal(&self, signal: &str) {
        let pid = self.child.as_ref().expect("server running").id();
        let status = Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill {signal} {pid} failed");
    }

    /// Sends one command and returns the raw RESP reply, or `None` if the server cannot be
    /// reached.
    fn try_command(&self, args: &[&str]) -> Option<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        let mut request = format!("*{}\r\n", args.len());
        for a in args {
            request.push_str(&format!("${}\r\n{a}\r\n", a.len()));
        }
        stream.write_all(request.as_bytes()).ok()?;
        let mut reader = BufReader::new(stream);
        let mut out = String::new();
        read_value(&mut reader, &mut out).ok()?;
        Some(out)
    }

    /// Sends one command; the reply in RESP, flattened to lines.
    pub fn command(&self, args: &[&str]) -> String {
        self.try_command(args)
            .unwrap_or_else(|| panic!("Redis on port {} did not answer {args:?}", self.port))
    }

    /// Every key, sorted.
    pub fn keys(&self) -> Vec<String> {
        let reply = self.command(&["KEYS", "*"]);
        let mut keys: Vec<String> = reply
            .lines()
            .skip(1)
            .filter(|l| !l.starts_with('$'))
            .map(str::to_owned)
            .collect();
        keys.sort();
        keys
    }

    /// An integer reply (`GET` of a counter, `PTTL`), `None` for nil.
    pub fn integer(&self, args: &[&str]) -> Option<i64> {
        let reply = self.command(args);
        let mut lines = reply.lines();
        let first = lines.next()?;
        match first.as_bytes().first() {
            Some(b':') => first[1..].parse().ok(),
            Some(b'$') if first != "$-1" => lines.next()?.parse().ok(),
            _ => None,
        }
    }

    /// How many times EVALSHA ran (INFO commandstats): round trips of the limiter.
    pub fn evalsha_calls(&self) -> u64 {
        let info = self.command(&["INFO", "commandstats"]);
        info.lines()
            .find_map(|l| l.strip_prefix("cmdstat_evalsha:calls="))
            .and_then(|rest| rest.split(',').next())
            .map_or(0, |n| n.parse().expect("a call count"))
    }
}

/// Reads one RESP value into `out`, one line per element.
fn read_value(reader: &mut impl BufRead, out: &mut String) -> std::io::Result<()> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let line = line.trim_end().to_owned();
    out.push_str(&line);
    out.push('\n');
    match line.as_bytes().first() {
        Some(b'$') => {
            let len: i64 = line[1..].parse().unwrap_or(-1);
            if len >= 0 {
                let mut buf = vec![0; len as usize + 2];
                reader.read_exact(&mut buf)?;
                out.push_str(&String::from_utf8_lossy(&buf[..len as usize]));
                out.push('\n');
            }
        }
        Some(b'*') => {
            let n: i64 = line[1..].parse().unwrap_or(-1);
            for _ in 0..n.max(0) {
                read_value(reader, out)?;
            }
        }
        _ => {}
    }
    Ok(())
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if self.child.is_some() {
            // A frozen server must be thawed or SIGKILL still works; kill it either way.
            self.kill();
        }
    }
}
