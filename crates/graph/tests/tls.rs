//! The connector speaks HTTPS: a Graph or token URL with `https` is connected to (the
//! handshake is attempted), not refused as an unsupported scheme.

use std::io::Read as _;
use std::net::TcpListener;

#[tokio::test]
async fn an_https_url_gets_a_tls_handshake() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("a connection");
        let mut first = [0u8; 5];
        stream
            .read_exact(&mut first)
            .expect("the client's first bytes");
        first
    });
    let client = exsync_graph::tls::http_client_builder()
        .build()
        .expect("a client");
    let error = client
        .get(format!("https://127.0.0.1:{port}/v1.0/users"))
        .send()
        .await
        .expect_err("the server answers no TLS");
    assert!(!error.is_builder(), "https must be supported: {error}");
    let first = server.join().expect("server thread");
    // A TLS record of type handshake (22), version 3.x: a ClientHello.
    assert_eq!((first[0], first[1]), (22, 3), "{first:?}");
}
