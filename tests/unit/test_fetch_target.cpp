#include <cerrno>

#include <catch2/catch.hpp>

#include "certbundle/core/error.hpp"
#include "certbundle/fetch/curl_api.hpp"
#include "certbundle/fetch/download.hpp"
#include "certbundle/fetch/target.hpp"

using namespace certbundle;
using namespace certbundle::fetch;

TEST_CASE("targets: host, host:port, [v6]:port and URLs", "[fetch][target]") {
  Target t = parse_target("example.com");
  CHECK(t.host == "example.com");
  CHECK(t.port == 443);
  CHECK(t.starttls == Starttls::none);
  CHECK(t.endpoint() == "example.com:443");

  t = parse_target("example.com:8883");
  CHECK(t.port == 8883);
  t = parse_target("[::1]:4433");
  CHECK(t.host == "::1");
  CHECK(t.port == 4433);
  CHECK(t.host_is_ip());
  CHECK(t.endpoint() == "[::1]:4433");
  t = parse_target("2001:db8::1");
  CHECK(t.host == "2001:db8::1");
  CHECK(t.port == 443);
  t = parse_target("192.0.2.1:443");
  CHECK(t.host_is_ip());
  CHECK(!parse_target("localhost").host_is_ip());
}

TEST_CASE("targets: a URL scheme gives the port and the protocol before TLS", "[fetch][target]") {
  struct Case {
    const char* text;
    const char* host;
    std::uint16_t port;
    Starttls starttls;
  };
  for (const Case& c : {
           Case{"https://example.com/path?q=1", "example.com", 443, Starttls::none},
           Case{"mqtts://broker.example:1234", "broker.example", 1234, Starttls::none},
           Case{"MQTTS://broker.example", "broker.example", 8883, Starttls::none},
           Case{"smtps://mail.example", "mail.example", 465, Starttls::none},
           Case{"smtp://mail.example", "mail.example", 25, Starttls::smtp},
           Case{"smtp://mail.example:587", "mail.example", 587, Starttls::smtp},
           Case{"submission://mail.example", "mail.example", 587, Starttls::smtp},
           Case{"imaps://mail.example", "mail.example", 993, Starttls::none},
           Case{"imap://user@mail.example", "mail.example", 143, Starttls::imap},
           Case{"pop3://mail.example", "mail.example", 110, Starttls::pop3},
           Case{"ftp://files.example", "files.example", 21, Starttls::ftp},
           Case{"postgres://db.example/x", "db.example", 5432, Starttls::postgres},
           Case{"xmpp://chat.example", "chat.example", 5222, Starttls::xmpp},
           Case{"https://[2001:db8::2]:8443/", "2001:db8::2", 8443, Starttls::none},
       }) {
    INFO(c.text);
    const Target t = parse_target(c.text);
    CHECK(t.host == c.host);
    CHECK(t.port == c.port);
    CHECK(t.starttls == c.starttls);
    CHECK(t.text == c.text);
  }
}

TEST_CASE("targets: bad input is a usage error naming the text", "[fetch][target]") {
  for (const char* bad : {"", "gopher://x", "host:0", "host:65536", "host:http", "[::1", "[::1]x",
                          "[nothost]:443", "a:b:c", "https://", ":443"}) {
    INFO(bad);
    try {
      (void)parse_target(bad);
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::usage);
      CHECK(std::string(e.what()).find(std::string("\"") + bad + "\"") != std::string::npos);
    }
  }
}

TEST_CASE("STARTTLS protocol names", "[fetch][target]") {
  CHECK(parse_starttls("SMTP") == Starttls::smtp);
  CHECK(parse_starttls("postgres") == Starttls::postgres);
  CHECK(!parse_starttls("gopher"));
  CHECK(to_string(Starttls::imap) == "imap");
}

// libcurl's messages, as curl 7.88 (Debian 12) prints them: `curl http://127.0.0.1:1/`.
TEST_CASE("curl reasons: no elapsed time, the system's reason when there is one", "[fetch][curl]") {
  CHECK(curl_reason(CURLE_COULDNT_CONNECT,
                    "Failed to connect to 127.0.0.1 port 1 after 0 ms: Couldn't connect to server", ECONNREFUSED) ==
        "Failed to connect to 127.0.0.1 port 1: Connection refused");
  CHECK(curl_reason(CURLE_COULDNT_CONNECT,
                    "Failed to connect to 127.0.0.1 port 1 after 17 ms: Couldn't connect to server", 0) ==
        "Failed to connect to 127.0.0.1 port 1: Couldn't connect to server");
  CHECK(curl_reason(CURLE_OPERATION_TIMEDOUT, "Connection timed out after 2001 milliseconds", 0) ==
        "Connection timed out");
  CHECK(curl_reason(CURLE_COULDNT_RESOLVE_HOST, "Could not resolve host: no-such-host.invalid\n", 0) ==
        "Could not resolve host: no-such-host.invalid");
  // Whatever the load, the same failure gives the same words.
  CHECK(curl_reason(CURLE_COULDNT_CONNECT, "Failed to connect to ::1 port 9 after 3 ms: Couldn't connect to server",
                    ECONNREFUSED) ==
        curl_reason(CURLE_COULDNT_CONNECT, "Failed to connect to ::1 port 9 after 2950 ms: Couldn't connect to server",
                    ECONNREFUSED));
}

TEST_CASE("a download started over https is redirected over https only", "[fetch][download]") {
  CHECK(fetch::redirect_protocols_for("https://ca.example/int.der") == "https");
  CHECK(fetch::redirect_protocols_for("HTTPS://ca.example/int.der") == "https");
  CHECK(fetch::redirect_protocols_for("http://ca.example/int.der") == "http,https");
  CHECK(fetch::DownloadOptions{}.protocols == "http,https");
}
