"""A one-connection SMTP server on 127.0.0.1 that answers EHLO, accepts STARTTLS and then
handshakes with the given certificate chain and key (for certbundle verify's live tests).
Usage: smtp_starttls_server.py PORT CHAIN.pem KEY.pem. Exits after one client or 60 s."""
import socket
import ssl
import sys

port, chain, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(chain, key)
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(4)
srv.settimeout(60)


def serve(conn):
    """One SMTP conversation. Returns False for a readiness probe (closed without a word)."""
    conn.settimeout(10)
    f = conn.makefile("rwb", buffering=0)
    f.write(b"220 localhost ESMTP test\r\n")
    if not f.readline():
        return False
    f.write(b"250-localhost\r\n250 STARTTLS\r\n")
    if f.readline().strip().upper() != b"STARTTLS":
        return True
    f.write(b"220 go ahead\r\n")
    ctx.wrap_socket(conn, server_side=True).close()
    return True


while True:
    conn, _ = srv.accept()
    try:
        if serve(conn):
            break
    except (ssl.SSLError, OSError):
        pass
    finally:
        conn.close()
