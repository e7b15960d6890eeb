#!/usr/bin/env python3
"""Small servers for the fetch tests: misbehaving TLS servers, STARTTLS servers, an HTTP server for
AIA downloads, and TLS endpoints behind a delay (for tests/bench). Python standard library only.

Every server binds HOST (127.0.0.1 or ::1 only) on port 0 (or PORT, to take over a port another
server of the test had), writes the ports it got to PORT_FILE
(one a line, written atomically: its existence is the readiness probe), and exits after DEADLINE
seconds whatever happens.

Modes:
  silent        accept, then say nothing
  garbage       answer with bytes that are not TLS
  close         read the ClientHello, then close (a close during the handshake)
  tls           a plain TLS server (CERT: leaf then chain, KEY)
  hello-stall   read the ClientHello, send the first TLS record of the answer (the ServerHello),
                then nothing (CERT, KEY)
  trickle       answer the ClientHello with the whole first flight, one byte every DELAY_MS
                (default 1000: a byte a second) (CERT, KEY)
  reset         read the ClientHello, send the ServerHello record, then reset the connection
                (RST: SO_LINGER 0) (CERT, KEY)
  smtp, smtp-refuse, imap, pop3, ftp, postgres, xmpp
                speak the protocol up to STARTTLS, then TLS (smtp-refuse answers 454)
  http          serve the files of DIR; /hang never answers; /redirect redirects forever (to
                /redirect?N+1); /to?URL redirects to URL (percent-decoded); /huge sends 100 MB (no Content-Length), /huge-announced the same
                with its Content-Length; anything missing is 404; with CHUNK_DELAY_MS, files are
                sent 64 KiB at a time with that pause after each
  https         the same over TLS (CERT: leaf then chain, KEY)
  proxy         an HTTP CONNECT proxy to 127.0.0.1 / ::1 / localhost only (anything else: 403);
                prints "CONNECT host:port" for each tunnel
  delay         COUNT TLS endpoints, each waiting DELAY_MS (default 100) before the handshake
  backlog       never accepts, and fills its own accept queue first: the kernel drops further
                SYNs, so a client's TCP connect never completes (a connect timeout, locally)
"""
import argparse
import http.server
import os
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse


def write_ports(path, ports):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("".join(f"{p}\n" for p in ports))
    os.rename(tmp, path)


def listen(host, port=0, backlog=128):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(backlog)
    return s


def read_line(conn):
    data = b""
    while not data.endswith(b"\n"):
        b = conn.recv(1)
        if not b:
            raise ConnectionError("closed")
        data += b
    return data


def read_until(conn, marker):
    data = b""
    while marker not in data:
        b = conn.recv(1)
        if not b:
            raise ConnectionError("closed")
        data += b
    return data


def starttls_prologue(mode, conn):
    """Returns True when the client may now start TLS."""
    if mode in ("smtp", "smtp-refuse"):
        conn.sendall(b"220 test.invalid ESMTP ready\r\n")
        read_line(conn)  # EHLO
        conn.sendall(b"250-test.invalid\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
        read_line(conn)  # STARTTLS
        if mode == "smtp-refuse":
            conn.sendall(b"454 4.7.0 TLS not available due to local problem\r\n")
            read_line(conn)
            return False
        conn.sendall(b"220 2.0.0 Ready to start TLS\r\n")
    elif mode == "imap":
        conn.sendall(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n")
        tag = read_line(conn).split(b" ")[0]
        conn.sendall(b"* CAPABILITY IMAP4rev1\r\n" + tag + b" OK Begin TLS negotiation now\r\n")
    elif mode == "pop3":
        conn.sendall(b"+OK POP3 ready\r\n")
        read_line(conn)
        conn.sendall(b"+OK Begin TLS negotiation\r\n")
    elif mode == "ftp":
        conn.sendall(b"220-Welcome\r\n220 FTP ready\r\n")
        read_line(conn)
        conn.sendall(b"234 AUTH TLS successful\r\n")
    elif mode == "postgres":
        req = b""
        while len(req) < 8:
            b = conn.recv(8 - len(req))
            if not b:
                raise ConnectionError("closed")
            req += b
        if req != b"\x00\x00\x00\x08\x04\xd2\x16\x2f":
            return False
        conn.sendall(b"S")
    elif mode == "xmpp":
        read_until(conn, b"version='1.0'>")
        conn.sendall(b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                     b"xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"
                     b"<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"
                     b"<required/></starttls></stream:features>")
        read_until(conn, b"/>")
        conn.sendall(b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
    return True


def first_flight(conn, context):
    """Reads the ClientHello and returns the bytes a TLS server would answer with (its whole first
    flight), computed in memory: the caller decides how much of it the client gets, and when."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_side=True)
    while True:
        data = conn.recv(65536)
        if not data:
            raise ConnectionError("closed")
        incoming.write(data)
        try:
            tls.do_handshake()
        except ssl.SSLWantReadError:
            pass
        if outgoing.pending:
            return outgoing.read()


def first_record(flight):
    """The first TLS record of `flight` (5-byte header: type, version, length)."""
    return flight[:5 + int.from_bytes(flight[3:5], "big")]


def handle(mode, conn, context, args):
    try:
        conn.settimeout(args.deadline)
        if mode == "silent":
            time.sleep(args.deadline)
            return
        if mode == "garbage":
            conn.recv(4096)
            conn.sendall(b"HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain\r\n\r\nnot TLS\r\n")
            time.sleep(1)
            return
        if mode == "close":
            conn.recv(4096)
            conn.shutdown(socket.SHUT_RDWR)
            return
        if mode == "hello-stall":
            conn.sendall(first_record(first_flight(conn, context)))
            time.sleep(args.deadline)
            return
        if mode == "trickle":
            flight = first_flight(conn, context)
            for i in range(len(flight)):
                conn.sendall(flight[i:i + 1])
                time.sleep(args.delay_ms / 1000.0)
            return
        if mode == "reset":
            conn.sendall(first_record(first_flight(conn, context)))
            time.sleep(0.05)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()
            return
        if mode == "delay":
            time.sleep(args.delay_ms / 1000.0)
        elif mode != "tls" and not starttls_prologue(mode, conn):
            return
        tls = context.wrap_socket(conn, server_side=True)
        tls.recv(1)  # until the client closes
    except (OSError, ConnectionError, ssl.SSLError):
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def relay(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def handle_proxy(conn, args):
    try:
        conn.settimeout(args.deadline)
        head = read_until(conn, b"\r\n\r\n").decode("latin-1")
        parts = head.split("\r\n")[0].split(" ")
        if len(parts) != 3 or parts[0] != "CONNECT":
            conn.sendall(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
            return
        host, _, port = parts[1].rpartition(":")
        host = host.strip("[]")
        if host not in ("127.0.0.1", "::1", "localhost"):
            conn.sendall(b"HTTP/1.1 403 Forbidden\r\n\r\n")
            return
        print(f"CONNECT {parts[1]}", flush=True)
        upstream = socket.create_connection((host, int(port)), timeout=args.deadline)
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        threading.Thread(target=relay, args=(upstream, conn), daemon=True).start()
        relay(conn, upstream)
    except (OSError, ConnectionError, ValueError):
        pass


def serve_tcp(mode, sock, context, args):
    while True:
        conn, _ = sock.accept()
        if mode == "proxy":
            threading.Thread(target=handle_proxy, args=(conn, args), daemon=True).start()
            continue
        threading.Thread(target=handle, args=(mode, conn, context, args), daemon=True).start()


class AiaHandler(http.server.BaseHTTPRequestHandler):
    directory = "."
    deadline = 60
    chunk_delay_ms = 0

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/hang":
            time.sleep(self.deadline)
            return
        if path == "/redirect":
            n = int(self.path.partition("?")[2] or 0)
            self.send_response(302)
            self.send_header("Location", f"/redirect?{n + 1}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if path == "/to":
            self.send_response(302)
            self.send_header("Location", urllib.parse.unquote(self.path.partition("?")[2]))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if path in ("/huge", "/huge-announced"):
            size, chunk = 100 << 20, b"\x30" * 65536
            self.send_response(200)
            self.send_header("Content-Type", "application/pkix-cert")
            if path == "/huge-announced":
                self.send_header("Content-Length", str(size))
            self.end_headers()
            try:
                for _ in range(size // len(chunk)):
                    self.wfile.write(chunk)
            except OSError:
                pass
            return
        name = os.path.basename(path)
        full = os.path.join(self.directory, name)
        if not name or not os.path.isfile(full):
            self.send_error(404)
            return
        with open(full, "rb") as f:
            body = f.read()
        self.send_response(200)
        ctype = "application/pkcs7-mime" if name.endswith(".p7c") else "application/pkix-cert"
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.chunk_delay_ms <= 0:
            self.wfile.write(body)
            return
        for at in range(0, len(body), 65536):  # slowly: the client can be killed mid-transfer
            self.wfile.write(body[at:at + 65536])
            self.wfile.flush()
            time.sleep(self.chunk_delay_ms / 1000.0)

    def log_message(self, *a):
        pass


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode")
    p.add_argument("--host", default="127.0.0.1", choices=["127.0.0.1", "::1"])
    p.add_argument("--port-file", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--dir", default=".")
    p.add_argument("--deadline", type=float, default=60)
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--delay-ms", type=int)
    p.add_argument("--chunk-delay-ms", type=int, default=0)
    args = p.parse_args()
    if args.delay_ms is None:
        args.delay_ms = 1000 if args.mode == "trickle" else 100

    threading.Timer(args.deadline, lambda: os._exit(0)).start()

    if args.mode in ("http", "https"):
        family = socket.AF_INET6 if ":" in args.host else socket.AF_INET

        class Server(http.server.ThreadingHTTPServer):
            address_family = family
            daemon_threads = True

        AiaHandler.directory = args.dir
        AiaHandler.deadline = args.deadline
        AiaHandler.chunk_delay_ms = args.chunk_delay_ms
        server = Server((args.host, args.port), AiaHandler)
        if args.mode == "https":  # --cert holds the chain to send (leaf first), --key its key
            tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            tls.load_cert_chain(args.cert, args.key)
            server.socket = tls.wrap_socket(server.socket, server_side=True)
        write_ports(args.port_file, [server.server_address[1]])
        server.serve_forever()
        return

    if args.mode == "backlog":
        sock = listen(args.host, args.port, backlog=0)
        fill = []  # kept open: while they wait in the queue, no other connection gets in
        while True:
            c = socket.socket(sock.family, socket.SOCK_STREAM)
            c.settimeout(0.5)
            try:
                c.connect(sock.getsockname()[:2])
            except OSError:  # timed out: the queue is full
                c.close()
                break
            fill.append(c)
        write_ports(args.port_file, [sock.getsockname()[1]])
        while True:
            time.sleep(3600)

    context = None
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
    socks = [listen(args.host, args.port) for _ in range(args.count)]
    for s in socks:
        threading.Thread(target=serve_tcp, args=(args.mode, s, context, args), daemon=True).start()
    write_ports(args.port_file, [s.getsockname()[1] for s in socks])
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
