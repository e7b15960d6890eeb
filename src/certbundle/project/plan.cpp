#include "certbundle/project/plan.hpp"

#include <algorithm>

#include "certbundle/bundle/c_array.hpp"
#include "certbundle/project/lock.hpp"
#include "certbundle/project/version.hpp"

namespace certbundle::project {

std::string_view to_string(Embed embed) {
  switch (embed) {
    case Embed::none: return "none";
    case Embed::binary: return "BINARY";
    case Embed::text: return "TEXT";
  }
  return "none";
}

std::string_view to_string(OutputKind kind) {
  switch (kind) {
    case OutputKind::bundle: return "bundle";
    case OutputKind::pem: return "pem";
  }
  return "bundle";
}

std::string_view to_string(InputRole role) {
  switch (role) {
    case InputRole::manifest: return "manifest";
    case InputRole::lock: return "lock";
    case InputRole::mozilla: return "mozilla";
    case InputRole::bundle_extra: return "bundle.extra";
    case InputRole::pem_files: return "pem.files";
    case InputRole::pem_next: return "pem.next";
    case InputRole::identity: return "identity";
  }
  return "manifest";
}

std::string embedded_symbol(std::string_view file_name) {
  std::string id;
  for (const char c : file_name) {
    const bool keep =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    id.push_back(keep ? c : '_');
  }
  if (!id.empty() && id.front() >= '0' && id.front() <= '9') id.insert(id.begin(), '_');
  return "_binary_" + id + "_start";
}

namespace {

// The names `build` gives the C files of an output (bundle::c_identifier_from, as emit_c does).
void add_c_files(PlannedOutput& out) {
  const std::string id = bundle::c_identifier_from(out.name);
  out.files.push_back({id + ".c", Embed::none, {}});
  out.files.push_back({id + ".h", Embed::none, {}});
}

}  // namespace

Plan plan_outputs(const Manifest& manifest) {
  Plan plan;
  const std::filesystem::path dir =
      std::filesystem::absolute(manifest.dir.empty() ? "." : manifest.dir);
  plan.manifest = (dir / manifest.file.filename()).lexically_normal();
  plan.format = manifest_format(manifest);
  plan.idf_version = manifest.policy.idf_version;
  plan.signature = device_signature_rule(manifest);
  plan.assumed = assumed_version_note(manifest);

  const auto input = [&](const std::filesystem::path& p, InputRole role) {
    const std::filesystem::path path = (p.is_absolute() ? p : dir / p).lexically_normal();
    const bool seen = std::any_of(plan.inputs.begin(), plan.inputs.end(),
                                  [&](const PlannedInput& i) { return i.path == path; });
    if (seen) return;
    std::error_code ec;
    plan.inputs.push_back({path, role, std::filesystem::exists(path, ec)});
  };
  input(plan.manifest, InputRole::manifest);
  // `build` reads the lock when the manifest has endpoints (it must exist) or when it exists.
  const std::filesystem::path lock = dir / "certbundle.lock";
  std::error_code ec;
  if (!manifest.endpoints.empty() || std::filesystem::exists(lock, ec))
    input(lock, InputRole::lock);
  if (!manifest.policy.mozilla.empty()) input(manifest.policy.mozilla, InputRole::mozilla);
  for (const Endpoint& e : manifest.endpoints)
    plan.endpoints.push_back(e.name);

  if (manifest.bundle) {
    const BundleOutput& b = *manifest.bundle;
    PlannedOutput out{b.name, OutputKind::bundle, plan.format, b.line, {}};
    for (const Emit e : b.emit) {
      if (e == Emit::bin) out.files.push_back({b.name, Embed::binary, embedded_symbol(b.name)});
      if (e == Emit::c) add_c_files(out);
    }
    for (const auto& f : b.extra)
      input(f, InputRole::bundle_extra);
    plan.outputs.push_back(std::move(out));
  }
  for (const PemOutput& p : manifest.pems) {
    PlannedOutput out{p.name, OutputKind::pem, std::nullopt, p.line, {}};
    for (const Emit e : p.emit) {
      if (e == Emit::pem) out.files.push_back({p.name, Embed::text, embedded_symbol(p.name)});
      if (e == Emit::c) add_c_files(out);
    }
    for (const auto& f : p.files)
      input(f, InputRole::pem_files);
    for (const std::string& n : p.next) {
      if (next_names_file(n)) input(n, InputRole::pem_next);
    }
    plan.outputs.push_back(std::move(out));
  }
  for (const Identity& id : manifest.identities)
    input(id.cert, InputRole::identity);
  return plan;
}

}  // namespace certbundle::project
