// The STARTTLS conversations (fetch::detail::run_starttls) with the input as everything the
// server says. The first byte picks the protocol: S smtp, I imap, P pop3, F ftp, X xmpp,
// Q postgres (any other byte: its value modulo 6). The rest is written to the server's end of a
// socketpair, which is then shut down, before the call: each run reads to the end and returns
// at once (the deadline only bounds a bug that would wait).
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>

#include "certbundle/fetch/channel.hpp"
#include "fuzz.hpp"

using namespace certbundle;

namespace {

fetch::Starttls protocol_of(std::uint8_t b) {
  using fetch::Starttls;
  switch (b) {
    case 'S': return Starttls::smtp;
    case 'I': return Starttls::imap;
    case 'P': return Starttls::pop3;
    case 'F': return Starttls::ftp;
    case 'X': return Starttls::xmpp;
    case 'Q': return Starttls::postgres;
    default: break;
  }
  static constexpr std::array all{Starttls::smtp, Starttls::imap, Starttls::pop3,
                                  Starttls::ftp,  Starttls::xmpp, Starttls::postgres};
  return all[b % all.size()];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const fetch::Starttls protocol = protocol_of(data[0]);
  int fds[2];
  fuzz::require(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0, "socketpair");
  const int client = fds[0];
  const int server = fds[1];
  // Room for the server's replies and for what the client sends (never read).
  const int room = 1 << 20;
  ::setsockopt(server, SOL_SOCKET, SO_SNDBUF, &room, sizeof room);
  ::setsockopt(client, SOL_SOCKET, SO_RCVBUF, &room, sizeof room);
  std::size_t sent = 1;
  while (sent < size) {
    const ssize_t n = ::write(server, data + sent, size - sent);
    fuzz::require(n > 0, "the replies fit in the socket buffer");
    sent += static_cast<std::size_t>(n);
  }
  ::shutdown(server, SHUT_WR);
  ::fcntl(client, F_SETFL, ::fcntl(client, F_GETFL) | O_NONBLOCK);

  const fetch::detail::Deadline deadline(std::chrono::milliseconds(2000));
  const auto why = fetch::detail::run_starttls(protocol, client, "mail.example.com", deadline);
  if (why) fuzz::require(fuzz::one_line(*why), "a STARTTLS failure is one line", *why);
  fuzz::require(!deadline.expired(), "a conversation with a closed server ends before its deadline");
  ::close(client);
  ::close(server);
  return 0;
}
