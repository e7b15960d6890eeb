#include "certbundle/bundle/format.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>

#include <fmt/format.h>

#include "certbundle/core/error.hpp"
#include "certbundle/core/file.hpp"

namespace certbundle::bundle {

std::string_view to_string(Format format) { return format == Format::v1 ? "V1" : "V2"; }

Format parse_format(std::string_view text) {
  if (text == "v1" || text == "V1") return Format::v1;
  if (text == "v2" || text == "V2") return Format::v2;
  throw usage_error(fmt::format("unknown bundle format \"{}\": expected v1 or v2", text));
}

namespace {

std::optional<unsigned> parse_number(std::string_view text) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

Format format_for_idf_version(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return usage_error(fmt::format("invalid ESP-IDF version \"{}\": {}", text, why));
  };
  std::string_view rest = text;
  if (!rest.empty() && (rest.front() == 'v' || rest.front() == 'V')) rest.remove_prefix(1);
  std::vector<unsigned> parts;
  while (true) {
    const auto dot = rest.find('.');
    const auto number = parse_number(rest.substr(0, dot));
    if (!number) throw bad("expected MAJOR.MINOR or MAJOR.MINOR.PATCH, like 5.4");
    parts.push_back(*number);
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  if (parts.size() < 2 || parts.size() > 3) {
    throw bad("expected MAJOR.MINOR or MAJOR.MINOR.PATCH, like 5.4");
  }
  const unsigned major = parts[0];
  const unsigned minor = parts[1];
  if (major < 4 || (major == 4 && minor < 2)) {
    throw bad("certificate bundles exist from ESP-IDF 4.2 on");
  }
  return (major < 5 || (major == 5 && minor <= 3)) ? Format::v1 : Format::v2;
}

bool subject_less(ByteView a, ByteView b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
}

namespace {

void put_u16(std::string& out, std::size_t value, Format format) {
  const auto hi = static_cast<char>((value >> 8) & 0xff);
  const auto lo = static_cast<char>(value & 0xff);
  if (format == Format::v1) {
    out.push_back(hi);
    out.push_back(lo);
  } else {
    out.push_back(lo);
    out.push_back(hi);
  }
}

void put_u32_le(std::string& out, std::size_t value) {
  for (int shift = 0; shift < 32; shift += 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

bool same(ByteView a, ByteView b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

}  // namespace

Written write_bundle(std::vector<Member> members, const WriteOptions& options) {
  for (const Member& m : members) {
    for (const auto& [field, bytes] :
         {std::pair{"subject", m.cert.subject_der()}, std::pair{"public key", m.cert.spki_der()}}) {
      if (bytes.size() > max_field_bytes) {
        throw Error(ExitCode::input,
                    fmt::format("cannot bundle {}: its {} is {} bytes; a bundle record holds at "
                                "most {}",
                                m.name, field, bytes.size(), max_field_bytes));
      }
    }
  }
  std::stable_sort(members.begin(), members.end(), [](const Member& a, const Member& b) {
    return subject_less(a.cert.subject_der(), b.cert.subject_der());
  });

  Written written;
  written.count = members.size();
  if (members.empty()) {
    written.warnings.push_back(
        "no certificates: the bundle is an empty file, which ESP-IDF 5.5 "
        "and later accept and which lets the device verify no server");
  }
  if (members.size() > options.max_certs) {
    written.warnings.push_back(fmt::format(
        "{} certificates: more than the {} the device accepts "
        "(CONFIG_MBEDTLS_CERTIFICATE_BUNDLE_MAX_CERTS); it will refuse the whole bundle",
        members.size(), options.max_certs));
  }
  // Sorted, so equal subjects are neighbours; each is named against the first of its run.
  for (std::size_t first = 0, i = 1; i < members.size(); ++i) {
    if (!same(members[i].cert.subject_der(), members[first].cert.subject_der())) {
      first = i;
      continue;
    }
    const bool same_key = same(members[i].cert.spki_der(), members[first].cert.spki_der());
    written.warnings.push_back(
        same_key ? fmt::format("{} and {} have the same subject and key: a duplicate record (the "
                               "device only ever tries one of them)",
                               members[first].name, members[i].name)
                 : fmt::format("{} and {} have the same subject but different keys: the device "
                               "only ever tries one of them, so servers chaining to the other fail",
                               members[first].name, members[i].name));
  }

  std::string& out = written.bytes;
  if (members.empty()) return written;
  const std::size_t n = members.size();
  std::size_t total = options.format == Format::v1 ? 2 : 4 * n;
  for (const Member& m : members)
    total += 4 + m.cert.subject_der().size() + m.cert.spki_der().size();
  if ((options.format == Format::v1 && n > 0xffff) || total > 0xffffffff) {
    throw Error(ExitCode::input,
                fmt::format("cannot bundle {} certificates ({} bytes) in format {}: too many for "
                            "its {}",
                            n, total, to_string(options.format),
                            options.format == Format::v1 ? "16-bit count" : "32-bit offsets"));
  }
  out.reserve(total);
  if (options.format == Format::v1) {
    put_u16(out, n, Format::v1);
  } else {
    // The table is computed first: each offset is the table size plus the records before.
    std::size_t offset = 4 * n;
    for (const Member& m : members) {
      put_u32_le(out, offset);
      offset += 4 + m.cert.subject_der().size() + m.cert.spki_der().size();
    }
  }
  for (const Member& m : members) {
    put_u16(out, m.cert.subject_der().size(), options.format);
    put_u16(out, m.cert.spki_der().size(), options.format);
    out.append(reinterpret_cast<const char*>(m.cert.subject_der().data()),
               m.cert.subject_der().size());
    out.append(reinterpret_cast<const char*>(m.cert.spki_der().data()), m.cert.spki_der().size());
  }
  return written;
}

namespace {

// A structural failure: where and why, before the file name is added.
struct Failure {
  std::size_t offset = 0;
  std::string why;
};

struct Attempt {
  Parsed parsed;
  std::optional<Failure> failure;
};

std::size_t u16_at(ByteView d, std::size_t pos, Format format) {
  return format == Format::v1 ? std::size_t{d[pos]} << 8 | d[pos + 1]
                              : std::size_t{d[pos + 1]} << 8 | d[pos];
}

std::size_t u32_le_at(ByteView d, std::size_t pos) {
  return std::size_t{d[pos]} | std::size_t{d[pos + 1]} << 8 | std::size_t{d[pos + 2]} << 16 |
         std::size_t{d[pos + 3]} << 24;
}

// Reads the record at `pos`; on success appends it and returns the position after it.
std::optional<std::size_t> read_record(ByteView d, std::size_t pos, std::size_t index,
                                       Format format, Attempt& attempt) {
  if (d.size() - pos < 4) {
    attempt.failure = Failure{pos, fmt::format("record {} is cut off in its length fields "
                                               "(the file ends at byte {})",
                                               index, d.size())};
    return std::nullopt;
  }
  const std::size_t subject_len = u16_at(d, pos, format);
  const std::size_t spki_len = u16_at(d, pos + 2, format);
  const std::size_t end = pos + 4 + subject_len + spki_len;
  if (end > d.size()) {
    attempt.failure = Failure{
        pos, fmt::format("record {} ({} bytes of subject, {} of public key) runs past the end of "
                         "the file at byte {}",
                         index, subject_len, spki_len, d.size())};
    return std::nullopt;
  }
  const auto* subject = d.data() + pos + 4;
  attempt.parsed.records.push_back({Bytes(subject, subject + subject_len),
                                    Bytes(subject + subject_len, subject + subject_len + spki_len),
                                    pos});
  return end;
}

Attempt attempt_v1(ByteView d) {
  Attempt a;
  a.parsed.format = Format::v1;
  if (d.size() < 2) {
    a.failure = Failure{0, fmt::format("{} bytes: too short for the 2-byte count", d.size())};
    return a;
  }
  const std::size_t count = u16_at(d, 0, Format::v1);
  std::size_t pos = 2;
  for (std::size_t i = 0; i < count; ++i) {
    if (pos == d.size()) {
      a.failure = Failure{pos, fmt::format("the count announces {} records, but the file ends "
                                           "after {}",
                                           count, i)};
      return a;
    }
    const auto next = read_record(d, pos, i, Format::v1, a);
    if (!next) return a;
    pos = *next;
  }
  if (pos != d.size()) {
    a.failure = Failure{pos, fmt::format("{} bytes after the {} records the count announces",
                                         d.size() - pos, count)};
  }
  return a;
}

Attempt attempt_v2(ByteView d) {
  Attempt a;
  a.parsed.format = Format::v2;
  if (d.empty()) return a;
  if (d.size() < 4) {
    a.failure = Failure{0, fmt::format("{} bytes: too short for an offset table", d.size())};
    return a;
  }
  const std::size_t table = u32_le_at(d, 0);
  if (table == 0 || table % 4 != 0) {
    a.failure = Failure{0, fmt::format("the first offset, {}, is not the size of an offset table "
                                       "(a non-zero multiple of 4)",
                                       table)};
    return a;
  }
  if (table >= d.size()) {
    a.failure = Failure{0, fmt::format("the first offset, {}, points at or past the end of the "
                                       "file at byte {}",
                                       table, d.size())};
    return a;
  }
  const std::size_t count = table / 4;
  std::size_t pos = table;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t offset = u32_le_at(d, 4 * i);
    if (offset != pos) {
      a.failure = Failure{4 * i, fmt::format("offset {} is {}, but record {} starts at byte {}", i,
                                             offset, i, pos)};
      return a;
    }
    const auto next = read_record(d, pos, i, Format::v2, a);
    if (!next) return a;
    pos = *next;
  }
  if (pos != d.size()) {
    a.failure = Failure{pos, fmt::format("{} bytes after the {} records the offset table "
                                         "announces",
                                         d.size() - pos, count)};
  }
  return a;
}

Attempt attempt(ByteView d, Format format) {
  return format == Format::v1 ? attempt_v1(d) : attempt_v2(d);
}

[[noreturn]] void fail(const Attempt& a, std::string_view name) {
  throw Error(ExitCode::input, fmt::format("cannot read {}: offset {}: {} (read as a {} bundle)",
                                           quoted(std::filesystem::path(name)), a.failure->offset,
                                           a.failure->why, to_string(a.parsed.format)));
}

bool looks_like_der(const Parsed& parsed) {
  return std::all_of(parsed.records.begin(), parsed.records.end(), [](const Record& r) {
    return !r.subject_der.empty() && r.subject_der[0] == 0x30 && !r.spki_der.empty() &&
           r.spki_der[0] == 0x30;
  });
}

bool header_looks_like(ByteView d, Format format) {
  if (format == Format::v2) return d.size() >= 4 && d[0] % 4 == 0 && d[2] == 0 && d[3] == 0;
  return d.size() > 6 && d[6] == 0x30;
}

}  // namespace

Parsed read_bundle(ByteView data, Format format, std::string_view name) {
  Attempt a = attempt(data, format);
  if (a.failure) fail(a, name);
  return std::move(a.parsed);
}

namespace {

// The choice documented at read_bundle(data, name), with both attempts kept for the message.
const Attempt& choose(const Attempt& v1, const Attempt& v2, ByteView data) {
  if (!v2.failure && !v1.failure) {
    return looks_like_der(v2.parsed) || !looks_like_der(v1.parsed) ? v2 : v1;
  }
  if (!v2.failure) return v2;
  if (!v1.failure) return v1;
  const std::size_t whole_v1 = v1.parsed.records.size();
  const std::size_t whole_v2 = v2.parsed.records.size();
  if (whole_v1 != whole_v2) return whole_v1 > whole_v2 ? v1 : v2;
  if (header_looks_like(data, Format::v2)) return v2;
  if (header_looks_like(data, Format::v1)) return v1;
  return v2;
}

}  // namespace

Parsed read_bundle(ByteView data, std::string_view name) {
  Attempt v1 = attempt_v1(data);
  Attempt v2 = attempt_v2(data);
  const Attempt& chosen = choose(v1, v2, data);
  if (chosen.failure) fail(chosen, name);
  return &chosen == &v1 ? std::move(v1.parsed) : std::move(v2.parsed);
}

Format likely_format(ByteView data) {
  const Attempt v1 = attempt_v1(data);
  const Attempt v2 = attempt_v2(data);
  return choose(v1, v2, data).parsed.format;
}

bool is_bundle(ByteView data, Format format) { return !attempt(data, format).failure; }

std::vector<std::size_t> unsorted_records(const std::vector<Record>& records) {
  std::vector<std::size_t> out;
  for (std::size_t i = 1; i < records.size(); ++i) {
    if (subject_less(records[i].subject_der, records[i - 1].subject_der)) out.push_back(i);
  }
  return out;
}

}  // namespace certbundle::bundle
