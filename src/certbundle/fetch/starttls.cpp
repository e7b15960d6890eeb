// The STARTTLS exchanges, written by hand: no dependency speaks them on a socket we own.
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "certbundle/fetch/channel.hpp"

namespace certbundle::fetch::detail {

int Deadline::remaining_ms() const {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      at_ - std::chrono::steady_clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

std::string timed_out_after(std::chrono::milliseconds budget) {
  const auto ms = budget.count();
  if (ms % 1000 == 0) return fmt::format("timed out after {} s", ms / 1000);
  return fmt::format("timed out after {} ms", ms);
}

std::string Deadline::timed_out() const { return timed_out_after(budget_); }

bool wait_for(int fd, bool for_write, const Deadline& deadline) {
  for (;;) {
    pollfd p{fd, static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
    const int left = deadline.remaining_ms();
    if (left == 0) return false;
    const int r = ::poll(&p, 1, left);
    if (r > 0) return true;
    if (r == 0) return false;
    if (errno != EINTR) return true;  // let the following read or write report the error
  }
}

namespace {

// A line-oriented reader over the socket. Keeps what it read past a line for the next call.
class Conversation {
 public:
  Conversation(int fd, const Deadline& deadline) : fd_(fd), deadline_(deadline) {}

  std::optional<std::string> send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n > 0) {
        data.remove_prefix(static_cast<std::size_t>(n));
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        if (!wait_for(fd_, true, deadline_)) return deadline_.timed_out();
      } else {
        return fmt::format("cannot send: {}", std::strerror(errno));
      }
    }
    return std::nullopt;
  }

  // Reads more bytes into the buffer. Returns the reason on failure.
  std::optional<std::string> fill(std::string_view waiting_for) {
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n > 0) {
        buffer_.append(buf, static_cast<std::size_t>(n));
        if (buffer_.size() > 64 * 1024) return std::string("the server sent more than 64 KiB");
        return std::nullopt;
      }
      if (n == 0) return fmt::format("the server closed the connection while waiting for {}", waiting_for);
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        if (!wait_for(fd_, false, deadline_)) {
          return fmt::format("{} waiting for {}", deadline_.timed_out(), waiting_for);
        }
        continue;
      }
      return fmt::format("cannot read: {}", std::strerror(errno));
    }
  }

  // One line without its CR LF.
  std::optional<std::string> line(std::string& out, std::string_view waiting_for) {
    for (;;) {
      if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
        out = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        if (!out.empty() && out.back() == '\r') out.pop_back();
        return std::nullopt;
      }
      if (auto why = fill(waiting_for)) return why;
    }
  }

  // A reply of numbered lines ("250-..." continues, "250 ..." ends), as SMTP and FTP write them.
  std::optional<std::string> numbered_reply(std::string& code, std::string& text,
                                            std::string_view waiting_for) {
    for (;;) {
      std::string l;
      if (auto why = line(l, waiting_for)) return why;
      if (l.size() < 3) return fmt::format("unexpected answer \"{}\" to {}", printable(l), waiting_for);
      code = l.substr(0, 3);
      text = l;
      if (l.size() == 3 || l[3] == ' ') return std::nullopt;
    }
  }

  // Reads until `marker` appears in the buffered text; returns everything read.
  std::optional<std::string> until(std::string_view marker, std::string& out,
                                   std::string_view waiting_for) {
    while (buffer_.find(marker) == std::string::npos) {
      if (auto why = fill(waiting_for)) return why;
    }
    out = buffer_;
    buffer_.clear();
    return std::nullopt;
  }

  std::optional<std::string> bytes(std::size_t n, std::string& out, std::string_view waiting_for) {
    while (buffer_.size() < n) {
      if (auto why = fill(waiting_for)) return why;
    }
    out = buffer_.substr(0, n);
    buffer_.erase(0, n);
    return std::nullopt;
  }

  static std::string printable(std::string_view s) {
    std::string out;
    for (const char c : s.substr(0, 80)) {
      out.push_back(c >= 0x20 && c < 0x7f && c != '"' ? c : '?');
    }
    return out;
  }

 private:
  int fd_;
  const Deadline& deadline_;
  std::string buffer_;
};

std::optional<std::string> smtp(Conversation& c) {
  std::string code, text;
  if (auto why = c.numbered_reply(code, text, "the SMTP greeting")) return why;
  if (code != "220") return fmt::format("the server greeted with \"{}\"", Conversation::printable(text));
  if (auto why = c.send("EHLO certbundle.invalid\r\n")) return why;
  if (auto why = c.numbered_reply(code, text, "the answer to EHLO")) return why;
  if (code != "250") return fmt::format("EHLO was answered \"{}\"", Conversation::printable(text));
  if (auto why = c.send("STARTTLS\r\n")) return why;
  if (auto why = c.numbered_reply(code, text, "the answer to STARTTLS")) return why;
  if (code != "220") {
    return fmt::format("the server refused STARTTLS: \"{}\"", Conversation::printable(text));
  }
  return std::nullopt;
}

std::optional<std::string> ftp(Conversation& c) {
  std::string code, text;
  if (auto why = c.numbered_reply(code, text, "the FTP greeting")) return why;
  if (code != "220") return fmt::format("the server greeted with \"{}\"", Conversation::printable(text));
  if (auto why = c.send("AUTH TLS\r\n")) return why;
  if (auto why = c.numbered_reply(code, text, "the answer to AUTH TLS")) return why;
  if (code != "234") {
    return fmt::format("the server refused AUTH TLS: \"{}\"", Conversation::printable(text));
  }
  return std::nullopt;
}

std::optional<std::string> imap(Conversation& c) {
  std::string l;
  if (auto why = c.line(l, "the IMAP greeting")) return why;
  if (l.rfind("* OK", 0) != 0) return fmt::format("the server greeted with \"{}\"", Conversation::printable(l));
  if (auto why = c.send("a1 STARTTLS\r\n")) return why;
  for (;;) {
    if (auto why = c.line(l, "the answer to STARTTLS")) return why;
    if (l.rfind("a1 ", 0) == 0) break;  // untagged lines before the tagged answer are skipped
  }
  if (l.rfind("a1 OK", 0) != 0) {
    return fmt::format("the server refused STARTTLS: \"{}\"", Conversation::printable(l));
  }
  return std::nullopt;
}

std::optional<std::string> pop3(Conversation& c) {
  std::string l;
  if (auto why = c.line(l, "the POP3 greeting")) return why;
  if (l.rfind("+OK", 0) != 0) return fmt::format("the server greeted with \"{}\"", Conversation::printable(l));
  if (auto why = c.send("STLS\r\n")) return why;
  if (auto why = c.line(l, "the answer to STLS")) return why;
  if (l.rfind("+OK", 0) != 0) {
    return fmt::format("the server refused STLS: \"{}\"", Conversation::printable(l));
  }
  return std::nullopt;
}

std::optional<std::string> xmpp(Conversation& c, const std::string& host) {
  const std::string open = fmt::format(
      "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
      "xmlns:stream='http://etherx.jabber.org/streams' to='{}' version='1.0'>",
      host);
  if (auto why = c.send(open)) return why;
  std::string features;
  if (auto why = c.until("</stream:features>", features, "the XMPP stream features")) return why;
  if (features.find("urn:ietf:params:xml:ns:xmpp-tls") == std::string::npos) {
    return std::string("the server does not offer STARTTLS in its stream features");
  }
  if (auto why = c.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")) return why;
  std::string answer;
  if (auto why = c.until(">", answer, "the answer to starttls")) return why;
  if (answer.find("<proceed") == std::string::npos) {
    return fmt::format("the server refused STARTTLS: \"{}\"", Conversation::printable(answer));
  }
  return std::nullopt;
}

std::optional<std::string> postgres(Conversation& c) {
  // SSLRequest: length 8, code 80877103 (1234 << 16 | 5679), both big-endian.
  static constexpr char request[] = {0, 0, 0, 8, 0x04, static_cast<char>(0xd2), 0x16, 0x2f};
  if (auto why = c.send(std::string_view(request, sizeof request))) return why;
  std::string answer;
  if (auto why = c.bytes(1, answer, "the answer to SSLRequest")) return why;
  if (answer != "S") {
    return answer == "N" ? std::string("the server refused SSL (answered N to SSLRequest)")
                         : fmt::format("unexpected answer 0x{:02x} to SSLRequest",
                                       static_cast<unsigned char>(answer[0]));
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> run_starttls(Starttls protocol, int fd, const std::string& host,
                                        const Deadline& deadline) {
  Conversation c(fd, deadline);
  switch (protocol) {
    case Starttls::none: return std::nullopt;
    case Starttls::smtp: return smtp(c);
    case Starttls::imap: return imap(c);
    case Starttls::pop3: return pop3(c);
    case Starttls::ftp: return ftp(c);
    case Starttls::xmpp: return xmpp(c, host);
    case Starttls::postgres: return postgres(c);
  }
  return std::nullopt;
}

}  // namespace certbundle::fetch::detail
