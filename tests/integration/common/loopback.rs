//! A hand-written HTTP/1.1 server on a free loopback port, for tests whose
//! server must misbehave in ways no framework allows. Each connection gets
//! its own thread and the whole request is read before the handler runs:
//! closing a socket with unread request bytes makes the kernel send a reset,
//! which would lose the answer on the client's side (a token request's form
//! body, left unread, once did exactly that).

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// Largest request head read; anything longer is cut there.
const MAX_HEAD: usize = 64 * 1024;
/// Largest request body drained.
const MAX_BODY: usize = 1024 * 1024;

/// Serves each connection with `handler` (given the request head) and
/// answers the port.
pub fn serve(handler: impl Fn(TcpStream, String) + Copy + Send + 'static) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("local addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut stream = stream;
                let head = read_request(&mut stream);
                handler(stream, head);
            });
        }
    });
    port
}

/// Reads one request: its head, answered, and its body, drained.
pub fn read_request(stream: &mut TcpStream) -> String {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < MAX_HEAD {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let length = header(&head, "content-length:")
        .parse::<usize>()
        .unwrap_or(0)
        .min(MAX_BODY);
    let _ = stream
        .by_ref()
        .take(length as u64)
        .read_to_end(&mut Vec::new());
    head
}

/// The value of header `name` (lower case, with the colon) in `head`.
pub fn header(head: &str, name: &str) -> String {
    head.lines()
        .find(|l| l.to_ascii_lowercase().starts_with(name))
        .map(|l| l[name.len()..].trim().to_owned())
        .unwrap_or_default()
}
