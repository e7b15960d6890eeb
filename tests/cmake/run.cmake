# cmake -DMODE=... -P run.cmake: one test of the CMake module (see CMakeLists.txt beside it).
#
# Common inputs: WORK (scratch dir, emptied first), SOURCE_DIR (certbundle's source tree),
# TESTS_DIR (this dir), TOOL (the certbundle built by this build), GENERATOR, CXX_COMPILER,
# CONFIG, SANITIZE. Fails (FATAL_ERROR, so the test fails) naming the step and showing its output.
cmake_minimum_required(VERSION 3.25)

foreach(_var IN ITEMS MODE WORK SOURCE_DIR TESTS_DIR GENERATOR)
  if(NOT DEFINED ${_var})
    message(FATAL_ERROR "run.cmake: -D${_var}=... is required")
  endif()
endforeach()

# _run(<step> <success|failure> <output-var> <command>...): runs the command, shows its output,
# stops the test unless it ends as expected, and returns stdout + stderr in <output-var>.
function(_run step expect out_var)
  string(JOIN " " _line ${ARGN})
  message(STATUS "${step}: ${_line}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE _result OUTPUT_VARIABLE _out ERROR_VARIABLE _out)
  message("${_out}")
  if(expect STREQUAL "success" AND NOT _result EQUAL 0)
    message(FATAL_ERROR "cmake test: ${step} failed (${_result}): ${_line}")
  elseif(expect STREQUAL "failure" AND _result EQUAL 0)
    message(FATAL_ERROR "cmake test: ${step} succeeded, but should have failed: ${_line}")
  endif()
  set(${out_var} "${_out}" PARENT_SCOPE)
endfunction()

# _expect(<step> <text> <regex> [NOT]): the text matches the regex (or, with NOT, does not).
function(_expect step text regex)
  if(ARGN STREQUAL "NOT")
    if(text MATCHES "${regex}")
      message(FATAL_ERROR "cmake test: ${step}: the output matches \"${regex}\" and should not")
    endif()
  elseif(NOT text MATCHES "${regex}")
    message(FATAL_ERROR "cmake test: ${step}: the output does not match \"${regex}\"")
  endif()
  message(STATUS "${step}: ok (${ARGN} \"${regex}\")")
endfunction()

set(_build_type "")
set(_config_args "")
if(CONFIG)
  set(_build_type "-DCMAKE_BUILD_TYPE=${CONFIG}")
  set(_config_args --config "${CONFIG}")
endif()

# _configure(<step> <expect> <out-var> <source> <build> <args>...)
function(_configure step expect out_var source build)
  _run("${step}" ${expect} _out "${CMAKE_COMMAND}" -S "${source}" -B "${build}" -G "${GENERATOR}"
    ${_build_type} ${ARGN})
  set(${out_var} "${_out}" PARENT_SCOPE)
endfunction()

# _build(<step> <expect> <out-var> <build>)
function(_build step expect out_var build)
  _run("${step}" ${expect} _out "${CMAKE_COMMAND}" --build "${build}" ${_config_args})
  set(${out_var} "${_out}" PARENT_SCOPE)
endfunction()

# -DREUSE_WORK=ON keeps WORK from an earlier run (to rerun a test by hand without rebuilding
# what it built); CTest always starts afresh.
if(NOT REUSE_WORK)
  file(REMOVE_RECURSE "${WORK}")
endif()
file(MAKE_DIRECTORY "${WORK}")

# ---------------------------------------------------------------------------------------------
# examples/plain-cmake, by add_subdirectory or find_package: it builds, and plain_demo finds every
# embedded output equal, byte for byte, to what `certbundle build` (run here, separately) and
# `certbundle bundle` write. A second build regenerates nothing and checks again.
if(MODE MATCHES "^plain_(add_subdirectory|find_package)$")
  set(_example "${SOURCE_DIR}/examples/plain-cmake")
  set(_build "${WORK}/build")
  if(REUSE_WORK)
    file(REMOVE_RECURSE "${_build}/certbundle/plain_demo")  # remake the outputs, keep the tool
  endif()
  if(MODE STREQUAL "plain_add_subdirectory")
    # certbundle as a subproject: no tests, no install rules, no sanitizers (the CMake wiring is
    # what is tested; a sanitized rebuild of everything would double the time).
    # certbundle_add asks the tool for the plan at configure time: the module builds it then
    # (Debug: the quicker build), once, and every step uses that binary.
    _configure(configure success _out "${_example}" "${_build}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
      "-DCERTBUNDLE_SOURCE_DIR=${SOURCE_DIR}" -DCERTBUNDLE_SANITIZE=OFF "-DCMAKE_EXE_LINKER_FLAGS="
      -DCERTBUNDLE_HOST_BUILD_TYPE=Debug)
    _expect(configure "${_out}" "certbundle: tool: certbundle built for the host at configure time")
    set(_tool "${_build}/certbundle-host/build/tool/certbundle")
  else()
    set(_linker "")
    if(SANITIZE)
      set(_linker "-fsanitize=address,undefined")
    endif()
    _configure(configure success _out "${_example}" "${_build}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
      "-DCMAKE_PREFIX_PATH=${PREFIX}" "-DCERTBUNDLE_SOURCE_DIR=" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
      "-DCMAKE_EXE_LINKER_FLAGS=${_linker}")
    set(_tool "${PREFIX}/bin/certbundle")
  endif()
  _expect(configure "${_out}" "certbundle: tool: the certbundle::tool target")
  _build(build success _out "${_build}")
  _expect(build "${_out}" "certbundle: building the outputs of")
  _expect(build "${_out}" "certbundle: checking")
  if(MODE STREQUAL "plain_add_subdirectory")
    _expect(build "${_out}" "Building CXX object certbundle/" NOT)  # not built a second time
  endif()

  # The references: certbundle build of the same manifest, and certbundle bundle for the
  # common-CA bundle (ESP-IDF's CSV, V1) made without the module.
  _run("reference build" success _ "${_tool}" build "${_example}/certbundle.toml" --out "${WORK}/ref" -q)
  file(MAKE_DIRECTORY "${WORK}/ref-common")
  _run("reference bundle" success _ "${_tool}" bundle --filter
    "${SOURCE_DIR}/mozilla/esp-idf/cmn_crt_authorities.csv" --format v1 -o "${WORK}/ref-common/common_crt_bundle")
  file(GLOB_RECURSE _pem_out "${_build}/certbundle/*/isrg_roots.pem")
  get_filename_component(_pem_dir "${_pem_out}" DIRECTORY)
  _run("plain_demo" success _out "${_build}/plain_demo" "${WORK}/ref" "${WORK}/ref-common" "${_pem_dir}")
  string(REGEX MATCHALL "the same [0-9]+ bytes" _same "${_out}")
  list(LENGTH _same _n)
  if(NOT _n EQUAL 4)
    message(FATAL_ERROR "cmake test: plain_demo compared ${_n} output(s), not 4")
  endif()
  _expect(plain_demo "${_out}" "server_root_cert.pem +[0-9]+ bytes, PEM, 2 certificate\\(s\\), ends with NUL: yes")
  _expect(plain_demo "${_out}" "common_crt_bundle +[0-9]+ bytes, bundle V1")

  # Nothing changed: nothing regenerated, nothing relinked, and the check runs again.
  file(TIMESTAMP "${_build}/plain_demo" _before "%Y%m%d%H%M%S" UTC)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E sleep 1.1)
  _build("second build" success _out "${_build}")
  _expect("second build" "${_out}" "certbundle: checking")
  _expect("second build" "${_out}" "certbundle: (building|writing|embedding)" NOT)
  file(TIMESTAMP "${_build}/plain_demo" _after "%Y%m%d%H%M%S" UTC)
  if(NOT _before STREQUAL _after)
    message(FATAL_ERROR "cmake test: the second build relinked plain_demo")
  endif()
  return()
endif()

# ---------------------------------------------------------------------------------------------
# Misuse: each wrong call stops the configure step naming the function and the argument.
if(MODE STREQUAL "misuse")
  set(_cases
    "ok|certbundle: tool: CERTBUNDLE_EXECUTABLE"
    "unknown_keyword|certbundle_add: unknown argument \"OUTPUT_DIRECTORY\""
    "missing_value|certbundle_add: MANIFEST needs a value"
    "missing_target|certbundle_add: TARGET is required"
    "no_such_target|certbundle_add: TARGET \"firmware\" is not a target"
    "missing_manifest|certbundle_add: MANIFEST \"[^\"]*/nothere.toml\" does not exist"
    "stale_lock|certbundle_add: MANIFEST \"[^\"]*/stale/certbundle.toml\": endpoint \"broker\" is not in [^ ]*/stale/certbundle.lock, which is older than the manifest: run `certbundle lock`"
    "no_lock|certbundle_add: MANIFEST \"[^\"]*/unlocked/certbundle.toml\" has endpoints and no lock"
    "bad_format|certbundle_add: FORMAT \"v3\" is not v1 or v2"
    "outside_binary_dir|certbundle_add: OUTPUT_DIR \"/tmp/certbundle-outputs\" is outside the binary directory"
    "bundle_roots|certbundle_add_bundle: ROOTS \"most\" is not all, common or none"
    "bundle_no_name|certbundle_add_bundle: NAME is required"
    "bundle_no_target|certbundle_add_bundle: TARGET \"firmware\" is not a target"
    "bundle_name_path|certbundle_add_bundle: NAME \"certs/x509_crt_bundle\" is a file name, not a path"
    "pem_name_path|certbundle_add_pem: NAME \"certs/root.pem\" is a file name, not a path"
    "pem_missing_file|certbundle_add_pem: CERTS \"[^\"]*/certs/nothere.pem\" does not exist"
    "pem_unknown_keyword|certbundle_add_pem: unknown argument \"LABELS\""
    "idf_name_clash|certbundle_add: MANIFEST \"[^\"]*/default_name.toml\":[0-9]+: the bundle name x509_crt_bundle is also mbedtls's own bundle"
    "idf_app_name|certbundle: tool: CERTBUNDLE_EXECUTABLE"
    "format_disagrees|certbundle_add: MANIFEST \"[^\"]*/idf54.toml\": --format v1 disagrees with [^ ]*/idf54.toml:3: idf_version = \"5.4\" \\(format v2\\): give the ESP-IDF version in one place"
    "idf_disagrees|certbundle_add: MANIFEST \"[^\"]*/idf54.toml\": --idf-version 5.3 \\(bundle format v1\\) disagrees with [^ ]*/idf54.toml:3: idf_version = \"5.4\" \\(format v2\\): give the ESP-IDF version in one place"
    "idf_agrees|certbundle: tool: CERTBUNDLE_EXECUTABLE"
    "bad_check|certbundle_add: CHECK \"MAYBE\" is not ERROR, WARN or OFF"
    "warn_strict|certbundle_add: FAIL_ON_WARNING needs CHECK ERROR \\(CHECK is WARN\\)"
    "missing_input|certbundle_add: MANIFEST \"[^\"]*/missing_extra.toml\": bundle.extra \"[^\"]*/misuse/certs/nothere.pem\" does not exist")
  foreach(_case IN LISTS _cases)
    string(REGEX MATCH "^([a-z_]+)\\|(.*)$" _ "${_case}")
    set(_name "${CMAKE_MATCH_1}")
    set(_message "${CMAKE_MATCH_2}")
    set(_expect failure)
    if(_name MATCHES "^(ok|idf_agrees|idf_app_name)$")
      set(_expect success)
    endif()
    # One build directory for every case: the compiler is detected once.
    _configure("case ${_name}" ${_expect} _out "${TESTS_DIR}/misuse" "${WORK}/build"
      "-DCERTBUNDLE_EXECUTABLE=${TOOL}" "-DCASE=${_name}")
    # CMake wraps long messages: compare with the line breaks and indentation taken out.
    string(REGEX REPLACE "\n *" " " _flat "${_out}")
    _expect("case ${_name}" "${_flat}" "${_message}")
  endforeach()
  return()
endif()

# ---------------------------------------------------------------------------------------------
# Manifests in any valid TOML (manifests/certbundle.toml: comments holding quotes after values,
# literal strings, multi-line arrays, inline tables, another bundle name, a path with a space):
# the module asks the tool for the plan, builds, and embeds every output under the symbols of the
# files the tool wrote, byte for byte. A build whose FORMAT disagrees with the manifest's
# idf_version stops at configure time naming both; an edited manifest configures again.
if(MODE STREQUAL "manifests")
  find_program(_openssl openssl REQUIRED)
  set(_project "${WORK}/project")
  file(MAKE_DIRECTORY "${_project}/certs" "${_project}/store")
  file(COPY_FILE "${TESTS_DIR}/manifests/certbundle.toml" "${_project}/certbundle.toml")
  _run("a private CA" success _ "${_openssl}" req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256
    -nodes -keyout "${_project}/certs/ca.key" -out "${_project}/certs/private ca.pem" -days 3650
    -subj "/CN=certbundle manifests test CA" -addext "basicConstraints=critical,CA:TRUE"
    -addext "keyUsage=critical,keyCertSign,cRLSign")
  _run("the store" success _ "${TOOL}" roots --pem -o "${_project}/store/cacert.pem")

  # The plan, as the module reads it (string(JSON)); expected values from the manifest.
  execute_process(COMMAND "${TOOL}" build "${_project}/certbundle.toml" --plan
    RESULT_VARIABLE _result OUTPUT_VARIABLE _plan ERROR_VARIABLE _error)
  if(NOT _result EQUAL 0 OR NOT _error STREQUAL "")
    message(FATAL_ERROR "cmake test: build --plan failed (${_result}): ${_error}")
  endif()
  foreach(_pair IN ITEMS "bundle_format=v1" "outputs.0.name=app_crt_bundle" "outputs.0.format=v1"
      "outputs.0.files.0.symbol=_binary_app_crt_bundle_start" "outputs.0.files.0.embed=BINARY"
      "outputs.1.name=server_root_cert.pem" "outputs.1.files.0.embed=TEXT"
      "outputs.1.files.0.symbol=_binary_server_root_cert_pem_start"
      "inputs.1.path=${_project}/store/cacert.pem" "inputs.2.path=${_project}/certs/private ca.pem")
    string(REGEX MATCH "^([^=]*)=(.*)$" _ "${_pair}")
    set(_value "${CMAKE_MATCH_2}")
    string(REPLACE "." ";" _keys "${CMAKE_MATCH_1}")
    string(JSON _got GET "${_plan}" ${_keys})
    if(NOT _got STREQUAL _value)
      message(FATAL_ERROR "cmake test: plan ${CMAKE_MATCH_1} is \"${_got}\", not \"${_value}\"")
    endif()
  endforeach()
  string(JSON _n LENGTH "${_plan}" inputs)
  if(NOT _n EQUAL 3)
    message(FATAL_ERROR "cmake test: the plan lists ${_n} inputs, not 3 (manifest, store, CA):\n${_plan}")
  endif()

  set(_build "${WORK}/build")
  set(_args "-DCERTBUNDLE_EXECUTABLE=${TOOL}" "-DFIXTURE_MANIFEST=${_project}/certbundle.toml")
  _configure(configure success _out "${TESTS_DIR}/manifests" "${_build}" ${_args})
  _expect(configure "${_out}" "certbundle: note" NOT)  # the manifest gives the version
  _build(build success _out "${_build}")
  _expect(build "${_out}" "certbundle: checking")
  set(_dir "${_build}/certbundle/manifests/certbundle")
  _run(run success _out "${_build}/manifests" "${_dir}")
  _expect(run "${_out}" "app_crt_bundle: the same [0-9]+ bytes")
  _expect(run "${_out}" "server_root_cert.pem: the same [0-9]+ bytes as [^\n]*, then a NUL")
  _expect(run "${_out}" "first bytes 00 03")  # V1: a big-endian count, 3 certificates
  _run(inspect success _out "${TOOL}" inspect "${_dir}/app_crt_bundle")
  _expect(inspect "${_out}" "ESP-IDF bundle V1")

  # The build says another ESP-IDF version than the manifest: an error naming both.
  _configure("configure FORMAT v2" failure _out "${TESTS_DIR}/manifests" "${_build}" -DFIXTURE_FORMAT=v2)
  string(REGEX REPLACE "\n *" " " _flat "${_out}")
  _expect("configure FORMAT v2" "${_flat}" "--format v2 disagrees with [^ ]*/certbundle.toml:12: idf_version = \"5.3\" \\(format v1\\): give the ESP-IDF version in one place")
  _configure("configure FORMAT v1" success _out "${TESTS_DIR}/manifests" "${_build}" -DFIXTURE_FORMAT=v1)

  # An edited manifest: the build configures again and writes the C array too.
  file(APPEND "${_project}/certbundle.toml" "emit = [\"bin\", \"c\"]   # and \"c\"\n")
  _build("build, edited manifest" success _out "${_build}")
  _expect("build, edited manifest" "${_out}" "certbundle: building the outputs of")
  if(NOT EXISTS "${_dir}/app_crt_bundle.c" OR NOT EXISTS "${_dir}/app_crt_bundle.h")
    message(FATAL_ERROR "cmake test: the edited manifest's app_crt_bundle.c/.h were not written")
  endif()
  _run("run, edited manifest" success _out "${_build}/manifests" "${_dir}")
  return()
endif()

# ---------------------------------------------------------------------------------------------
# Expiry: the check before every build. A CA within warn_days: the build passes and prints the
# warning, pointing at the manifest; a second build regenerates nothing and prints it again;
# with FAIL_ON_WARNING it fails. A CA within fail_days: the build fails, the error in its log.
if(MODE STREQUAL "expiry")
  find_program(_openssl openssl REQUIRED)
  set(_project "${WORK}/project")
  file(MAKE_DIRECTORY "${_project}")
  # _make_ca(<days>): a self-signed CA in ${_project}/ca.pem that expires in <days> days.
  function(_make_ca days)
    _run("make a CA for ${days} days" success _ "${_openssl}" req -x509 -newkey ec
      -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "${_project}/ca.key" -out "${_project}/ca.pem"
      -days ${days} -subj "/CN=certbundle expiry test CA ${days}d"
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign")
  endfunction()
  file(WRITE "${_project}/certbundle.toml" "# written by tests/cmake/run.cmake (expiry)
[policy]
warn_days = 90
fail_days = 30

[[pem]]
name = \"private_ca.pem\"
files = [\"ca.pem\"]
")
  _make_ca(60)
  set(_build "${WORK}/build")
  _configure(configure success _out "${TESTS_DIR}/expiry" "${_build}"
    "-DCERTBUNDLE_EXECUTABLE=${TOOL}" "-DFIXTURE_MANIFEST=${_project}/certbundle.toml" -DFIXTURE_STRICT=OFF)
  _build("build, CA within warn_days" success _out "${_build}")
  set(_warning "${_project}/certbundle.toml:[0-9]+: warning: [^\n]*certbundle expiry test CA 60d")
  _expect("build, CA within warn_days" "${_out}" "${_warning}")
  _run("run" success _out "${_build}/expiry")

  _build("second build" success _out "${_build}")
  _expect("second build" "${_out}" "${_warning}")
  _expect("second build" "${_out}" "certbundle: (building|embedding)|Linking" NOT)

  _configure("configure FAIL_ON_WARNING" success _out "${TESTS_DIR}/expiry" "${_build}" -DFIXTURE_STRICT=ON)
  _build("build, FAIL_ON_WARNING" failure _out "${_build}")
  _expect("build, FAIL_ON_WARNING" "${_out}" "${_warning}")

  _configure("configure" success _out "${TESTS_DIR}/expiry" "${_build}" -DFIXTURE_STRICT=OFF)
  _make_ca(10)
  _build("build, CA within fail_days" failure _out "${_build}")
  set(_error "${_project}/certbundle.toml:[0-9]+: error: [^\n]*certbundle expiry test CA 10d")
  _expect("build, CA within fail_days" "${_out}" "${_error}")

  # CHECK WARN (a release branch): the same error is printed, the build goes on.
  _configure("configure CHECK WARN" success _out "${TESTS_DIR}/expiry" "${_build}" -DFIXTURE_CHECK=WARN)
  _build("build, CHECK WARN" success _out "${_build}")
  _expect("build, CHECK WARN" "${_out}" "${_error}")
  _expect("build, CHECK WARN" "${_out}" "CHECK WARN: the build goes on")
  _run("run, CHECK WARN" success _ "${_build}/expiry")
  # CHECK OFF: no check at all.
  _configure("configure CHECK OFF" success _out "${TESTS_DIR}/expiry" "${_build}" -DFIXTURE_CHECK=OFF)
  _build("build, CHECK OFF" success _out "${_build}")
  _expect("build, CHECK OFF" "${_out}" "certbundle: checking|expiry test CA" NOT)
  # Back to CHECK ERROR: it fails again.
  _configure("configure CHECK ERROR" success _out "${TESTS_DIR}/expiry" "${_build}" -DFIXTURE_CHECK=ERROR)
  _build("build, CHECK ERROR" failure _out "${_build}")
  _expect("build, CHECK ERROR" "${_out}" "${_error}")
  return()
endif()

# ---------------------------------------------------------------------------------------------
# The IDF-shaped fixture (idf/): a toolchain file that cross-compiles with a logging wrapper
# around the host's compiler, ESP-IDF's functions as recording stand-ins, IDF_VERSION 5.3 then
# 5.4. No certbundle on PATH and no CERTBUNDLE_EXECUTABLE: the module must build the tool for the
# host at configure time (once), never with the firmware's compiler.
if(MODE STREQUAL "idf")
  set(_fixture "${TESTS_DIR}/idf")
  set(_build "${WORK}/build")
  set(_log "${WORK}/firmware-compiler.log")
  find_program(_cc NAMES cc gcc clang REQUIRED)

  # The "Xtensa toolchain": on PATH as ESP-IDF puts it, each wrapper logging where it runs.
  set(_bin "${WORK}/xtensa-esp32-elf/bin")
  foreach(_tool IN ITEMS gcc g++)
    set(_real "${_cc}")
    if(_tool STREQUAL "g++")
      set(_real "${CXX_COMPILER}")
    endif()
    file(CONFIGURE OUTPUT "${_bin}/xtensa-esp32-elf-${_tool}" CONTENT
"#!/bin/sh
echo \"$(pwd): $*\" >> \"${_log}\"
exec \"${_real}\" \"$@\"
" @ONLY)
    file(CHMOD "${_bin}/xtensa-esp32-elf-${_tool}" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE
      GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  endforeach()
  file(CONFIGURE OUTPUT "${WORK}/toolchain-esp32.cmake" CONTENT
"# Pretends to be ESP-IDF's toolchain-esp32.cmake: cross-compiling, the firmware compiler is
# ${_bin}/xtensa-esp32-elf-gcc.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR xtensa)
set(CMAKE_C_COMPILER \"${_bin}/xtensa-esp32-elf-gcc\")
set(CMAKE_CXX_COMPILER \"${_bin}/xtensa-esp32-elf-g++\")
set(CMAKE_ASM_COMPILER \"${_bin}/xtensa-esp32-elf-gcc\")
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
" @ONLY)
  set(ENV{PATH} "${_bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
  unset(ENV{CERTBUNDLE_EXECUTABLE})
  find_program(_on_path certbundle NO_CACHE)
  if(_on_path)
    message(FATAL_ERROR "cmake test: ${_on_path} is on PATH: this test needs none")
  endif()

  # 1. ESP-IDF's early expansion pass: the component's CMakeLists.txt in script mode.
  file(MAKE_DIRECTORY "${WORK}/early")
  execute_process(COMMAND "${CMAKE_COMMAND}" -DCMAKE_BUILD_EARLY_EXPANSION=1
      -P "${_fixture}/early_expansion.cmake"
    WORKING_DIRECTORY "${WORK}/early" RESULT_VARIABLE _result OUTPUT_VARIABLE _out ERROR_VARIABLE _out)
  message("${_out}")
  if(NOT _result EQUAL 0)
    message(FATAL_ERROR "cmake test: the early expansion pass failed")
  endif()
  _expect("early expansion" "${_out}" "early expansion: main/CMakeLists.txt ran through")
  file(GLOB _made "${WORK}/early/*")
  if(_made)
    message(FATAL_ERROR "cmake test: the early expansion pass created ${_made}")
  endif()

  if(REUSE_WORK)
    # Keep the host tool, remake the outputs.
    file(REMOVE_RECURSE "${_build}/main/certbundle" "${_build}/certbundle")
  endif()

  # 2. ESP-IDF 5.3: the tool is built for the host, the bundle is V1.
  set(_configure_args "-DCMAKE_TOOLCHAIN_FILE=${WORK}/toolchain-esp32.cmake"
    -DCERTBUNDLE_HOST_BUILD_TYPE=Debug)
  _configure("configure (IDF 5.3)" success _out "${_fixture}" "${_build}" ${_configure_args}
    -DFIXTURE_IDF_VERSION=5.3)
  _expect("configure (IDF 5.3)" "${_out}"
    "certbundle: tool: certbundle built for the host at configure time \\(/[^)]*(c\\+\\+|g\\+\\+|clang\\+\\+)\\)")
  _build("build (IDF 5.3)" success _out "${_build}")
  _expect("build (IDF 5.3)" "${_out}" "certbundle: building the outputs of")
  _expect("build (IDF 5.3)" "${_out}" "certbundle: checking")

  # What the module gave ESP-IDF: target_add_binary_data, BINARY for bundles, TEXT for PEM.
  file(READ "${_build}/idf-calls.txt" _calls)
  message(STATUS "idf-calls.txt:\n${_calls}")
  set(_main "${_build}/main/certbundle/__idf_main")
  foreach(_call IN ITEMS
      "target_add_binary_data(__idf_main ${_main}/certbundle/app_crt_bundle BINARY)"
      "target_add_binary_data(__idf_main ${_main}/certbundle/server_root_cert.pem TEXT)"
      "target_add_binary_data(__idf_main ${_main}/pinned/pinned_crt_bundle BINARY)"
      "target_add_binary_data(__idf_main ${_main}/legacy_crt_bundle/legacy_crt_bundle BINARY)"
      "target_add_binary_data(idf_fixture.elf ${_build}/certbundle/idf_fixture_elf/top_level_root.pem/top_level_root.pem TEXT)")
    string(FIND "${_calls}" "${_call}\n" _at)
    if(_at EQUAL -1)
      message(FATAL_ERROR "cmake test: ESP-IDF was not called with: ${_call}")
    endif()
  endforeach()
  string(REGEX MATCHALL "target_add_binary_data" _n "${_calls}")
  list(LENGTH _n _n)
  if(NOT _n EQUAL 5)
    message(FATAL_ERROR "cmake test: ${_n} calls of target_add_binary_data, not 5")
  endif()

  # The firmware's compiler built the firmware, and nothing of the host tool.
  file(READ "${_log}" _compiled)
  _expect("firmware compiler" "${_compiled}" "main\\.c")
  _expect("firmware compiler" "${_compiled}" "certbundle-host" NOT)
  file(STRINGS "${_build}/certbundle-host/build/CMakeCache.txt" _host_cxx REGEX "^CMAKE_CXX_COMPILER:")
  _expect("host tool compiler" "${_host_cxx}" "xtensa" NOT)
  set(_host_tool "${_build}/certbundle-host/build/tool/certbundle")

  _run("run (IDF 5.3)" success _out "${_build}/idf_fixture.elf")
  _expect("run (IDF 5.3)" "${_out}" "app_crt_bundle: [0-9]+ bytes, V1")
  _expect("run (IDF 5.3)" "${_out}" "pinned_crt_bundle: [0-9]+ bytes, V2")
  _expect("run (IDF 5.3)" "${_out}" "legacy_crt_bundle: [0-9]+ bytes, V1")
  _expect("run (IDF 5.3)" "${_out}" "server_root_cert.pem: [0-9]+ bytes, last byte 0")
  _expect("run (IDF 5.3)" "${_out}" "top_level_root.pem: [0-9]+ bytes, last byte 0")
  _run("inspect (IDF 5.3)" success _out "${_host_tool}" inspect "${_main}/certbundle/app_crt_bundle")
  _expect("inspect (IDF 5.3)" "${_out}" "ESP-IDF bundle V1")

  # 3. ESP-IDF 5.4 in the same build directory: V2, and the host tool is not built again.
  file(TIMESTAMP "${_host_tool}" _tool_before "%Y%m%d%H%M%S" UTC)
  _configure("configure (IDF 5.4)" success _out "${_fixture}" "${_build}" ${_configure_args}
    -DFIXTURE_IDF_VERSION=5.4)
  _expect("configure (IDF 5.4)" "${_out}" "certbundle: building certbundle for the host" NOT)
  _build("build (IDF 5.4)" success _out "${_build}")
  file(TIMESTAMP "${_host_tool}" _tool_after "%Y%m%d%H%M%S" UTC)
  if(NOT _tool_before STREQUAL _tool_after)
    message(FATAL_ERROR "cmake test: the host tool was built again")
  endif()
  _expect("build (IDF 5.4)" "${_out}" "certbundle: building the outputs of main/certbundle.toml")
  _run("run (IDF 5.4)" success _out "${_build}/idf_fixture.elf")
  _expect("run (IDF 5.4)" "${_out}" "app_crt_bundle: [0-9]+ bytes, V2")
  _expect("run (IDF 5.4)" "${_out}" "pinned_crt_bundle: [0-9]+ bytes, V2")
  _expect("run (IDF 5.4)" "${_out}" "legacy_crt_bundle: [0-9]+ bytes, V1")
  _run("inspect (IDF 5.4)" success _out "${_host_tool}" inspect "${_main}/certbundle/app_crt_bundle")
  _expect("inspect (IDF 5.4)" "${_out}" "ESP-IDF bundle V2")

  # 4. Nothing changed: nothing is regenerated or rebuilt, the check runs again.
  _build("no-op build" success _out "${_build}")
  _expect("no-op build" "${_out}" "certbundle: checking")
  _expect("no-op build" "${_out}" "certbundle: (building|writing)|Linking" NOT)

  # 5. ESP-IDF 5.3 with a manifest that says 5.4: configuring stops, naming both.
  file(READ "${_fixture}/main/certbundle.toml" _text)
  string(REPLACE "[policy]\n" "[policy]\nidf_version = \"5.4\"\n" _text "${_text}")
  set(_idf54 "${WORK}/idf54")
  file(COPY "${_fixture}/" DESTINATION "${_idf54}")
  file(WRITE "${_idf54}/main/certbundle.toml" "${_text}")
  # The copy includes the module by a path relative to the fixture: point it at the source tree.
  file(READ "${_idf54}/main/CMakeLists.txt" _cmake)
  string(REPLACE "\${CMAKE_CURRENT_LIST_DIR}/../../../../cmake/certbundle.cmake"
    "${SOURCE_DIR}/cmake/certbundle.cmake" _cmake "${_cmake}")
  file(WRITE "${_idf54}/main/CMakeLists.txt" "${_cmake}")
  _configure("configure (IDF 5.3, manifest 5.4)" failure _out "${_idf54}" "${WORK}/build-idf54"
    ${_configure_args} -DFIXTURE_IDF_VERSION=5.3 "-DCERTBUNDLE_EXECUTABLE=${_host_tool}")
  string(REGEX REPLACE "\n *" " " _flat "${_out}")
  _expect("configure (IDF 5.3, manifest 5.4)" "${_flat}"
    "--idf-version 5.3 \\(bundle format v1\\) disagrees with [^ ]*/main/certbundle.toml:[0-9]+: idf_version = \"5.4\" \\(format v2\\): give the ESP-IDF version in one place")
  return()
endif()

message(FATAL_ERROR "run.cmake: unknown MODE \"${MODE}\"")
