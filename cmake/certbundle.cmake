# certbundle.cmake: CA certificates for ESP32 firmware, made and checked inside the build.
#
# Include it with any of:
#
#   include(/path/to/certbundle/cmake/certbundle.cmake)   # e.g. from an ESP-IDF component
#   find_package(certbundle)                              # after `cmake --install`
#   add_subdirectory(certbundle)                          # certbundle's CMakeLists includes it
#
# Public functions (each documented above its definition):
#
#   certbundle_add(TARGET ...)          the outputs of a certbundle.toml manifest and its lock,
#                                       checked before every build
#   certbundle_add_bundle(TARGET ...)   one ESP-IDF certificate bundle, without a manifest
#   certbundle_add_pem(TARGET ...)      one PEM buffer (esp_tls cacert_buf), without a manifest
#
# Every output is embedded with the symbols ESP-IDF users already write,
# `_binary_<file name as a C identifier>_start` and `_end`: inside an ESP-IDF build through
# ESP-IDF's own target_add_binary_data (BINARY for a bundle, TEXT for a PEM buffer, which adds the
# NUL mbedtls needs), elsewhere through a generated C source that defines the same two symbols
# (GCC or Clang). A generated header declares them, with the size of each output.
#
# The certbundle tool is found, in this order: the CERTBUNDLE_EXECUTABLE variable; the
# certbundle::tool target (find_package or add_subdirectory; when it is built in this project it
# is used only if this build is not cross-compiling); a `certbundle` on PATH whose version is
# compatible with this module; inside a cross-compiling build (ESP-IDF's Xtensa and RISC-V
# toolchains) or an ESP-IDF build, certbundle is built for the host from the source tree around
# this module (or CERTBUNDLE_SOURCE_DIR) with the host compiler (CERTBUNDLE_HOST_CXX_COMPILER,
# default the `c++` on PATH), at configure time, once per build directory. certbundle_add asks the
# tool at configure time what a manifest makes (`certbundle build --plan`): when the tool is a
# target of this project (add_subdirectory), it too is built at configure time that way. The
# firmware's compiler is never used for the tool. Nothing here touches the network, and nothing
# here reads a manifest: the tool does.
include_guard(GLOBAL)

# The tool must have the same major.minor version as this module. Global properties, not
# variables: the module may be included in a scope (certbundle's own directory, a function) that
# the callers of its functions do not see.
set_property(GLOBAL PROPERTY _CERTBUNDLE_MODULE_VERSION "0.1")
set_property(GLOBAL PROPERTY _CERTBUNDLE_MODULE_FILE "${CMAKE_CURRENT_LIST_FILE}")

# _certbundle_parse_arguments(<function> <options> <one-value> <multi-value> <required> <args>...)
#
# cmake_parse_arguments with prefix ARG, then a FATAL_ERROR naming the function and the argument
# for an unknown keyword, a keyword given without a value, or a required keyword left out.
macro(_certbundle_parse_arguments _function _options _one _multi _required)
  cmake_parse_arguments(ARG "${_options}" "${_one}" "${_multi}" ${ARGN})
  if(ARG_UNPARSED_ARGUMENTS)
    list(GET ARG_UNPARSED_ARGUMENTS 0 _certbundle_bad)
    string(REPLACE ";" " " _certbundle_known "${_options} ${_one} ${_multi}")
    string(STRIP "${_certbundle_known}" _certbundle_known)
    message(FATAL_ERROR "${_function}: unknown argument \"${_certbundle_bad}\" "
      "(known: ${_certbundle_known})")
  endif()
  if(ARG_KEYWORDS_MISSING_VALUES)
    list(GET ARG_KEYWORDS_MISSING_VALUES 0 _certbundle_bad)
    message(FATAL_ERROR "${_function}: ${_certbundle_bad} needs a value")
  endif()
  foreach(_certbundle_key IN ITEMS ${_required})
    if(NOT DEFINED ARG_${_certbundle_key} OR "${ARG_${_certbundle_key}}" STREQUAL "")
      message(FATAL_ERROR "${_function}: ${_certbundle_key} is required")
    endif()
  endforeach()
endmacro()

# _certbundle_check_target(<function> <target>): the target must exist and take sources.
function(_certbundle_check_target function target)
  if(NOT TARGET "${target}")
    message(FATAL_ERROR "${function}: TARGET \"${target}\" is not a target (call ${function} "
      "after add_executable/add_library, or after idf_component_register with \${COMPONENT_LIB})")
  endif()
  get_target_property(_type "${target}" TYPE)
  get_target_property(_imported "${target}" IMPORTED)
  if(_imported OR _type STREQUAL "INTERFACE_LIBRARY" OR _type STREQUAL "UTILITY")
    message(FATAL_ERROR "${function}: TARGET \"${target}\" is a ${_type} target that cannot "
      "hold sources: give an executable or a library")
  endif()
endfunction()

# _certbundle_is_idf(<out>): TRUE inside an ESP-IDF build (target_add_binary_data is defined).
function(_certbundle_is_idf out)
  if(COMMAND target_add_binary_data)
    set(${out} TRUE PARENT_SCOPE)
  else()
    set(${out} FALSE PARENT_SCOPE)
  endif()
endfunction()

# _certbundle_tool(<function> <when> <command-out> <depends-out> <targets-out>)
#
# The certbundle command, the file(s) a step that runs it depends on, and the target(s) that build
# it. <when> is STEP (the command runs in build steps: it may be a target built later in this
# build) or CONFIGURE (it runs now, at configure time, as certbundle_add does to ask for the plan
# of a manifest: it must exist now). Decided once per build directory (global properties).
#
# A certbundle::tool target built in this very project (add_subdirectory) does not exist at
# configure time: CONFIGURE then builds certbundle at configure time, as when cross-compiling
# (_certbundle_host_tool), and certbundle_add uses that one binary for its plan, its build and
# its check, so that all three come from the same tool. certbundle_add_bundle and
# certbundle_add_pem need no plan: they use the target, or that binary once it is built (so that
# a project does not build certbundle twice).
function(_certbundle_tool function when command_out depends_out targets_out)
  get_property(_done GLOBAL PROPERTY _CERTBUNDLE_TOOL_DONE)
  if(NOT _done)
    _certbundle_find_tool("${function}")
  endif()
  get_property(_runnable GLOBAL PROPERTY _CERTBUNDLE_TOOL_RUNNABLE)
  get_property(_host GLOBAL PROPERTY _CERTBUNDLE_CONFIGURE_TOOL)
  if(NOT _runnable AND (when STREQUAL "CONFIGURE" OR _host))
    if(NOT _host)
      _certbundle_host_tool("${function}" "certbundle::tool is built by this project, after configuring")
      get_property(_host GLOBAL PROPERTY _CERTBUNDLE_CONFIGURE_TOOL)
    endif()
    set(${command_out} "${_host}" PARENT_SCOPE)
    set(${depends_out} "${_host}" PARENT_SCOPE)
    set(${targets_out} "" PARENT_SCOPE)
    return()
  endif()
  get_property(_command GLOBAL PROPERTY _CERTBUNDLE_TOOL_COMMAND)
  get_property(_depends GLOBAL PROPERTY _CERTBUNDLE_TOOL_DEPENDS)
  get_property(_targets GLOBAL PROPERTY _CERTBUNDLE_TOOL_TARGETS)
  set(${command_out} "${_command}" PARENT_SCOPE)
  set(${depends_out} "${_depends}" PARENT_SCOPE)
  set(${targets_out} "${_targets}" PARENT_SCOPE)
endfunction()

# _certbundle_set_tool(<how> <command> <depends> <targets> <runnable>): <runnable> TRUE when
# <command> is a file that exists now (it can run at configure time).
function(_certbundle_set_tool how command depends targets runnable)
  set_property(GLOBAL PROPERTY _CERTBUNDLE_TOOL_DONE TRUE)
  set_property(GLOBAL PROPERTY _CERTBUNDLE_TOOL_COMMAND "${command}")
  set_property(GLOBAL PROPERTY _CERTBUNDLE_TOOL_DEPENDS "${depends}")
  set_property(GLOBAL PROPERTY _CERTBUNDLE_TOOL_TARGETS "${targets}")
  set_property(GLOBAL PROPERTY _CERTBUNDLE_TOOL_RUNNABLE "${runnable}")
  message(STATUS "certbundle: tool: ${how}")
endfunction()

# _certbundle_tool_version(<path> <out>): "X.Y.Z" from `certbundle --version`, or "".
function(_certbundle_tool_version path out)
  execute_process(COMMAND "${path}" --version OUTPUT_VARIABLE _text ERROR_QUIET
    RESULT_VARIABLE _result TIMEOUT 20)
  if(_result EQUAL 0 AND _text MATCHES "certbundle ([0-9]+\\.[0-9]+\\.[0-9]+)")
    set(${out} "${CMAKE_MATCH_1}" PARENT_SCOPE)
  else()
    set(${out} "" PARENT_SCOPE)
  endif()
endfunction()

function(_certbundle_find_tool function)
  get_property(_CERTBUNDLE_MODULE_VERSION GLOBAL PROPERTY _CERTBUNDLE_MODULE_VERSION)
  # 1. CERTBUNDLE_EXECUTABLE.
  if(CERTBUNDLE_EXECUTABLE)
    if(NOT EXISTS "${CERTBUNDLE_EXECUTABLE}")
      message(FATAL_ERROR "${function}: CERTBUNDLE_EXECUTABLE \"${CERTBUNDLE_EXECUTABLE}\" "
        "does not exist")
    endif()
    _certbundle_set_tool("CERTBUNDLE_EXECUTABLE ${CERTBUNDLE_EXECUTABLE}"
      "${CERTBUNDLE_EXECUTABLE}" "${CERTBUNDLE_EXECUTABLE}" "" TRUE)
    return()
  endif()

  # 2. The certbundle::tool target: imported (find_package) or built here for this host.
  if(TARGET certbundle::tool)
    get_target_property(_imported certbundle::tool IMPORTED)
    if(_imported)
      # An installed file: it runs at configure time too.
      get_target_property(_location certbundle::tool LOCATION)
      _certbundle_set_tool("the certbundle::tool target (${_location})" "${_location}"
        "${_location}" "" TRUE)
      return()
    elseif(NOT CMAKE_CROSSCOMPILING)
      get_target_property(_built certbundle::tool ALIASED_TARGET)
      _certbundle_set_tool("the certbundle::tool target" "$<TARGET_FILE:certbundle::tool>"
        "$<TARGET_FILE:certbundle::tool>" "${_built}" FALSE)
      return()
    endif()
  endif()

  # 3. A certbundle on PATH, of a compatible version.
  find_program(_certbundle_on_path NAMES certbundle NO_CACHE NO_CMAKE_FIND_ROOT_PATH
    NO_CMAKE_PATH NO_CMAKE_ENVIRONMENT_PATH NO_CMAKE_SYSTEM_PATH)
  if(_certbundle_on_path)
    _certbundle_tool_version("${_certbundle_on_path}" _version)
    if(_version MATCHES "^([0-9]+\\.[0-9]+)\\." AND
        CMAKE_MATCH_1 VERSION_EQUAL _CERTBUNDLE_MODULE_VERSION)
      _certbundle_set_tool("${_certbundle_on_path} (${_version}, from PATH)"
        "${_certbundle_on_path}" "${_certbundle_on_path}" "" TRUE)
      return()
    endif()
    message(STATUS "certbundle: ${_certbundle_on_path} is version \"${_version}\", not "
      "${_CERTBUNDLE_MODULE_VERSION}.x: not used")
  endif()

  # 4. Cross-compiling (or ESP-IDF): build it for the host now, at configure time.
  _certbundle_is_idf(_idf)
  if(CMAKE_CROSSCOMPILING OR _idf)
    _certbundle_host_tool("${function}" "cross-compiling")
    get_property(_host GLOBAL PROPERTY _CERTBUNDLE_CONFIGURE_TOOL)
    set_property(GLOBAL PROPERTY _CERTBUNDLE_TOOL_DONE TRUE)
    set_property(GLOBAL PROPERTY _CERTBUNDLE_TOOL_COMMAND "${_host}")
    set_property(GLOBAL PROPERTY _CERTBUNDLE_TOOL_DEPENDS "${_host}")
    set_property(GLOBAL PROPERTY _CERTBUNDLE_TOOL_TARGETS "")
    set_property(GLOBAL PROPERTY _CERTBUNDLE_TOOL_RUNNABLE TRUE)
    return()
  endif()
  message(FATAL_ERROR "${function}: no certbundle tool: set CERTBUNDLE_EXECUTABLE, use "
    "find_package(certbundle) or add_subdirectory(certbundle) before, or put certbundle "
    "${_CERTBUNDLE_MODULE_VERSION}.x on PATH")
endfunction()

# _certbundle_host_tool(<function> <why>): builds certbundle from the source tree around this
# module (or CERTBUNDLE_SOURCE_DIR) with the host compiler, never the firmware's, in
# <build>/certbundle-host/build, now, at configure time (execute_process), so that the plan of a
# manifest can be asked before the build. Once per build directory: the first configure
# configures and builds it; later ones run the (no-op when up to date) build step again, so a
# changed certbundle source is rebuilt. Sets the global property _CERTBUNDLE_CONFIGURE_TOOL.
function(_certbundle_host_tool function why)
  if(CERTBUNDLE_SOURCE_DIR)
    set(_source "${CERTBUNDLE_SOURCE_DIR}")
  else()
    get_property(_module GLOBAL PROPERTY _CERTBUNDLE_MODULE_FILE)
    get_filename_component(_source "${_module}/../.." ABSOLUTE)
  endif()
  if(NOT EXISTS "${_source}/tool/main.cpp" OR NOT EXISTS "${_source}/CMakeLists.txt")
    message(FATAL_ERROR "${function}: ${why} and no certbundle for the host: set "
      "CERTBUNDLE_EXECUTABLE, put certbundle on PATH, or set CERTBUNDLE_SOURCE_DIR to "
      "certbundle's source tree (\"${_source}\" is not one)")
  endif()
  set(CERTBUNDLE_HOST_CXX_COMPILER "" CACHE FILEPATH
    "The host C++ compiler that builds the certbundle tool at configure time (cross-compiling)")
  set(CERTBUNDLE_HOST_BUILD_TYPE "Release" CACHE STRING
    "The build type of the certbundle tool built for the host at configure time")
  if(CERTBUNDLE_HOST_CXX_COMPILER)
    set(_cxx "${CERTBUNDLE_HOST_CXX_COMPILER}")
  elseif(NOT CMAKE_CROSSCOMPILING AND CMAKE_CXX_COMPILER)
    set(_cxx "${CMAKE_CXX_COMPILER}")  # this build's compiler is the host's
  else()
    # The host's compiler from PATH only: never the toolchain file's or its sysroot's.
    find_program(_cxx NAMES c++ g++ clang++ NO_CACHE NO_CMAKE_FIND_ROOT_PATH NO_CMAKE_PATH
      NO_CMAKE_ENVIRONMENT_PATH NO_CMAKE_SYSTEM_PATH)
  endif()
  if(NOT _cxx)
    message(FATAL_ERROR "${function}: no host C++ compiler (c++, g++, clang++) on PATH to build "
      "certbundle for the host: set CERTBUNDLE_HOST_CXX_COMPILER")
  endif()
  if(CMAKE_CROSSCOMPILING AND _cxx STREQUAL CMAKE_CXX_COMPILER)
    message(FATAL_ERROR "${function}: CERTBUNDLE_HOST_CXX_COMPILER is the firmware's compiler "
      "(${CMAKE_CXX_COMPILER}): give the host's")
  endif()

  set(_binary "${CMAKE_BINARY_DIR}/certbundle-host/build")
  set(_tool "${_binary}/tool/certbundle${CMAKE_HOST_EXECUTABLE_SUFFIX}")
  set(_make_program "")
  if(CMAKE_MAKE_PROGRAM)
    set(_make_program "-DCMAKE_MAKE_PROGRAM=${CMAKE_MAKE_PROGRAM}")
  endif()
  if(NOT EXISTS "${_tool}")
    message(STATUS "certbundle: building certbundle for the host (${why}) in ${_binary}, once "
      "per build directory")
  endif()
  # Neither the toolchain file nor the environment's compiler and flags reach the host build.
  set(_env "${CMAKE_COMMAND}" -E env --unset=CC --unset=CXX --unset=CFLAGS --unset=CXXFLAGS
    --unset=LDFLAGS --unset=CPPFLAGS)
  if(NOT EXISTS "${_binary}/CMakeCache.txt")
    execute_process(COMMAND ${_env}
        "${CMAKE_COMMAND}" -S "${_source}" -B "${_binary}" -G "${CMAKE_GENERATOR}" ${_make_program}
        "-DCMAKE_CXX_COMPILER=${_cxx}" "-DCMAKE_BUILD_TYPE=${CERTBUNDLE_HOST_BUILD_TYPE}"
        -DCERTBUNDLE_BUILD_TESTS=OFF -DCERTBUNDLE_INSTALL=OFF -DCERTBUNDLE_SANITIZE=OFF
      RESULT_VARIABLE _result OUTPUT_VARIABLE _log ERROR_VARIABLE _log)
    if(NOT _result EQUAL 0)
      file(REMOVE "${_binary}/CMakeCache.txt")  # try again next time
      message(FATAL_ERROR "${function}: configuring certbundle for the host in ${_binary} "
        "failed:\n${_log}")
    endif()
  endif()
  execute_process(COMMAND ${_env} "${CMAKE_COMMAND}" --build "${_binary}" --target certbundle_tool
    RESULT_VARIABLE _result OUTPUT_VARIABLE _log ERROR_VARIABLE _log)
  if(NOT _result EQUAL 0 OR NOT EXISTS "${_tool}")
    message(FATAL_ERROR "${function}: building certbundle for the host in ${_binary} "
      "failed:\n${_log}")
  endif()
  set_property(GLOBAL PROPERTY _CERTBUNDLE_CONFIGURE_TOOL "${_tool}")
  message(STATUS "certbundle: tool: certbundle built for the host at configure time (${_cxx}): "
    "${_tool}")
endfunction()

# _certbundle_idf_version(<out>): "X.Y" from IDF_VERSION_MAJOR/MINOR, or "" outside ESP-IDF.
function(_certbundle_idf_version out)
  if(DEFINED IDF_VERSION_MAJOR AND DEFINED IDF_VERSION_MINOR)
    set(${out} "${IDF_VERSION_MAJOR}.${IDF_VERSION_MINOR}" PARENT_SCOPE)
  else()
    set(${out} "" PARENT_SCOPE)
  endif()
endfunction()

# _certbundle_unique(<base> <out>): <base>, or <base>_2, _3... if already taken in this build.
function(_certbundle_unique base out)
  get_property(_taken GLOBAL PROPERTY _CERTBUNDLE_NAMES)
  set(_name "${base}")
  set(_n 1)
  while("${_name}" IN_LIST _taken)
    math(EXPR _n "${_n} + 1")
    set(_name "${base}_${_n}")
  endwhile()
  set_property(GLOBAL APPEND PROPERTY _CERTBUNDLE_NAMES "${_name}")
  set(${out} "${_name}" PARENT_SCOPE)
endfunction()

# _certbundle_embed(<function> <target> <outputs-target> <header> <file>:<BINARY|TEXT>...)
#
# Embeds each file in <target> with _binary_<name>_start/_end and writes <header>.
function(_certbundle_embed function target outputs_target header)
  get_property(_CERTBUNDLE_MODULE_FILE GLOBAL PROPERTY _CERTBUNDLE_MODULE_FILE)
  _certbundle_is_idf(_idf)
  get_filename_component(_header_name "${header}" NAME)
  string(MAKE_C_IDENTIFIER "${_header_name}" _guard)
  string(TOUPPER "${_guard}" _guard)
  set(_h "/* ${_header_name}: generated by certbundle.cmake (${function}); do not edit. */\n")
  string(APPEND _h "#ifndef ${_guard}\n#define ${_guard}\n\n#include <stddef.h>\n#include <stdint.h>\n\n")
  string(APPEND _h "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n")
  foreach(_entry IN LISTS ARGN)
    string(REGEX MATCH "^(.*):(BINARY|TEXT)$" _ "${_entry}")
    set(_file "${CMAKE_MATCH_1}")
    set(_type "${CMAKE_MATCH_2}")
    get_filename_component(_name "${_file}" NAME)
    string(MAKE_C_IDENTIFIER "${_name}" _id)
    string(TOUPPER "${_id}" _ID)
    if(_type STREQUAL "TEXT")
      set(_what "PEM text, then one NUL byte: the size is what esp_tls's cacert_bytes needs")
    else()
      set(_what "the bytes of the file (an ESP-IDF certificate bundle for esp_crt_bundle_set)")
    endif()
    string(APPEND _h "/* ${_name}: ${_what}. */\n"
      "extern const uint8_t _binary_${_id}_start[];\n"
      "extern const uint8_t _binary_${_id}_end[];\n"
      "#define CERTBUNDLE_${_ID}_START (_binary_${_id}_start)\n"
      "#define CERTBUNDLE_${_ID}_SIZE ((size_t)(_binary_${_id}_end - _binary_${_id}_start))\n\n")
    if(_idf)
      # ESP-IDF's own embedding (the .S is made by ESP-IDF's data_file_embed_asm.cmake).
      target_add_binary_data(${target} "${_file}" ${_type})
    else()
      get_filename_component(_dir "${_file}" DIRECTORY)
      if(CMAKE_C_COMPILER_LOADED)
        set(_source "${_dir}/${_id}_embed.c")
      else()
        set(_source "${_dir}/${_id}_embed.cpp")
      endif()
      add_custom_command(OUTPUT "${_source}"
        COMMAND "${CMAKE_COMMAND}" "-DCERTBUNDLE_EMBED_INPUT=${_file}"
          "-DCERTBUNDLE_EMBED_OUTPUT=${_source}" "-DCERTBUNDLE_EMBED_TYPE=${_type}"
          -P "${_CERTBUNDLE_MODULE_FILE}"
        DEPENDS "${_file}" "${_CERTBUNDLE_MODULE_FILE}"
        COMMENT "certbundle: embedding ${_name}"
        VERBATIM)
      target_sources(${target} PRIVATE "${_source}")
    endif()
  endforeach()
  string(APPEND _h "#ifdef __cplusplus\n}\n#endif\n\n#endif\n")
  # Written only when it changes, so that a new configure rebuilds nothing.
  file(CONFIGURE OUTPUT "${header}" CONTENT "${_h}" @ONLY)
  get_filename_component(_header_dir "${header}" DIRECTORY)
  target_include_directories(${target} PUBLIC "$<BUILD_INTERFACE:${_header_dir}>")
  add_dependencies(${target} ${outputs_target})
endfunction()

# _certbundle_embed_script(): `cmake -P certbundle.cmake` with CERTBUNDLE_EMBED_*: writes a C
# (or C++) source that defines _binary_<name>_start (the bytes; for TEXT followed by a NUL) and
# _binary_<name>_end (the address after them), as ESP-IDF's embedding and objcopy do.
function(_certbundle_embed_script)
  get_filename_component(_name "${CERTBUNDLE_EMBED_INPUT}" NAME)
  string(MAKE_C_IDENTIFIER "${_name}" _id)
  file(READ "${CERTBUNDLE_EMBED_INPUT}" _hex HEX)
  if(CERTBUNDLE_EMBED_TYPE STREQUAL "TEXT")
    string(APPEND _hex "00")
  endif()
  string(LENGTH "${_hex}" _len)
  math(EXPR _size "${_len} / 2")
  set(_bytes "")
  if(_size GREATER 0)
    string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," _bytes "${_hex}")
    string(REGEX REPLACE "((0x..,){16})" "\\1\n  " _bytes "${_bytes}")
  endif()
  set(_array_size ${_size})
  if(_size EQUAL 0)
    set(_array_size 1)   # an empty file: a one-byte array, _end == _start
  endif()
  # Built with string(APPEND): the text holds semicolons, which a CMake list would split at.
  set(_out "/* Generated by certbundle.cmake from ${_name} (${CERTBUNDLE_EMBED_TYPE}, ${_size} bytes): do not edit. */\n")
  string(APPEND _out "#if defined(__APPLE__)\n#define CERTBUNDLE_SYMBOL(s) \"_\" #s\n#else\n"
    "#define CERTBUNDLE_SYMBOL(s) #s\n#endif\n")
  # `extern "C"` directly on the declaration, not a braced block: in C++ a const object defined
  # inside `extern "C" { }` has internal linkage, and the symbol would not reach the linker.
  string(APPEND _out "#ifdef __cplusplus\nextern \"C\"\n#endif\n"
    "__attribute__((aligned(4), used)) const unsigned char "
    "_binary_${_id}_start[${_array_size}] = {\n  ${_bytes}\n};\n")
  string(APPEND _out "__asm__(\".globl \" CERTBUNDLE_SYMBOL(_binary_${_id}_end) \"\\n\"\n"
    "        \".set \" CERTBUNDLE_SYMBOL(_binary_${_id}_end) \", \" "
    "CERTBUNDLE_SYMBOL(_binary_${_id}_start) \" + ${_size}\\n\");\n")
  file(WRITE "${CERTBUNDLE_EMBED_OUTPUT}.tmp" "${_out}")
  file(RENAME "${CERTBUNDLE_EMBED_OUTPUT}.tmp" "${CERTBUNDLE_EMBED_OUTPUT}")
endfunction()

# _certbundle_version_args(<function> <format> <out>): what this build says about the ESP-IDF
# version, as options of `certbundle build` and `check`: `--bundle-format vN` for FORMAT, else
# `--idf-version MAJOR.MINOR[.PATCH]` inside ESP-IDF, else nothing. The tool refuses (exit 2,
# naming both) a manifest whose policy.idf_version / policy.format says otherwise.
function(_certbundle_version_args function format out)
  set(_args "")
  if(format)
    string(TOLOWER "${format}" _f)
    if(NOT _f MATCHES "^v[12]$")
      message(FATAL_ERROR "${function}: FORMAT \"${format}\" is not v1 or v2")
    endif()
    set(_args --bundle-format ${_f})
  else()
    _certbundle_idf_version(_idf_version)
    if(_idf_version)
      if(DEFINED IDF_VERSION_PATCH AND NOT IDF_VERSION_PATCH STREQUAL "")
        string(APPEND _idf_version ".${IDF_VERSION_PATCH}")
      endif()
      set(_args --idf-version ${_idf_version})
    endif()
  endif()
  set(${out} "${_args}" PARENT_SCOPE)
endfunction()

# _certbundle_plan(<function> <tool> <manifest> <version-args> <out-var>): the JSON of
# `certbundle build <manifest> --plan <version-args>` (what the build writes and reads; see
# tool/cmd_project.cpp for its fields), asked now. A manifest the tool refuses stops the
# configure step with the tool's message.
function(_certbundle_plan function tool manifest version_args out_var)
  execute_process(COMMAND "${tool}" build "${manifest}" --plan ${version_args}
    RESULT_VARIABLE _result OUTPUT_VARIABLE _json ERROR_VARIABLE _error TIMEOUT 120)
  if(NOT _result EQUAL 0)
    string(STRIP "${_error}" _error)
    string(REGEX REPLACE "^certbundle: error: " "" _error "${_error}")
    message(FATAL_ERROR "${function}: MANIFEST \"${manifest}\": ${_error}")
  endif()
  string(JSON _kind ERROR_VARIABLE _bad GET "${_json}" format)
  if(_bad OR NOT _kind STREQUAL "certbundle-plan")
    message(FATAL_ERROR "${function}: ${tool} build --plan did not print a plan (${_bad}): "
      "is it certbundle 0.1 or later?")
  endif()
  set(${out_var} "${_json}" PARENT_SCOPE)
endfunction()

# certbundle_add
# --------------
#
# @brief Build the outputs of a certbundle manifest (certbundle.toml + certbundle.lock) in the
#        build, check them before every build, and embed them in a target.
#
# @param[in] TARGET <target>      the executable or library that embeds the outputs: in an ESP-IDF
#                                 component, ${COMPONENT_LIB} after idf_component_register; at
#                                 the project's top level, any target (e.g. ${CMAKE_PROJECT_NAME}.elf)
# @param[in, optional] MANIFEST <file>   the manifest (default: certbundle.toml in the current
#                                 source directory); its lock is certbundle.lock beside it
# @param[in, optional] OUTPUT_DIR <dir>  where the outputs go (default:
#                                 ${CMAKE_CURRENT_BINARY_DIR}/certbundle/<target>/<manifest
#                                 name without extension>); must be in the binary directory
# @param[in, optional] CHECK ERROR|WARN|OFF  the check before every build: ERROR (default) fails
#                                 the build on an error finding; WARN prints the findings and
#                                 never fails the build (a release branch); OFF runs no check
# @param[in, optional] FAIL_ON_WARNING   with CHECK ERROR: warnings of the check fail the build too
# @param[in, optional] FORMAT v1|v2       the bundle format of this build. Inside ESP-IDF the
#                                 default is the ESP-IDF version (IDF_VERSION_MAJOR/MINOR/PATCH:
#                                 up to 5.3 V1, from 5.4 V2); elsewhere the manifest's, else V2.
#                                 When the manifest's policy.idf_version or policy.format says
#                                 otherwise, configuring fails with the tool's message naming both
#
# The module reads no TOML: at configure time it asks the tool what the manifest makes and reads
# (`certbundle build --plan`, JSON read with string(JSON)), and configures again when the manifest
# changes. The tool must therefore run at configure time: a certbundle::tool built by this very
# project, or one for the host when cross-compiling, is built at configure time, once per build
# directory (see _certbundle_tool).
#
# `certbundle build` (offline) runs as a custom command whose outputs are in OUTPUT_DIR; it runs
# again only when the manifest, the lock, a file the manifest names, the Mozilla snapshot or the
# tool changed. Each output is embedded: the bundle as BINARY (`_binary_<name>_start/_end`), each
# [[pem]] as TEXT (with the NUL esp_tls needs). A header in OUTPUT_DIR declares the
# symbols and CERTBUNDLE_<NAME>_SIZE for each output; it is named after the manifest
# (certbundle.toml: certbundle_embedded.h, app.toml: app_embedded.h).
#
# Unless CHECK OFF, a target <target>_certbundle_check (the target's name as a C identifier; then
# _2_check, ... for more manifests), which <target> depends on, runs `certbundle check --format
# gcc` (offline) at every build: its findings are printed as `certbundle.toml:<line>: warning:`;
# with CHECK ERROR a CA within fail_days (or any warning, with FAIL_ON_WARNING) fails the build.
# With CHECK WARN only a check that cannot run at all (an unreadable lock) fails it.
#
# Does nothing during ESP-IDF's early expansion pass (CMAKE_BUILD_EARLY_EXPANSION). Inside
# ESP-IDF, a bundle named x509_crt_bundle clashes with mbedtls's own when
# CONFIG_MBEDTLS_CERTIFICATE_BUNDLE is set: name it otherwise in [bundle] name.
function(certbundle_add)
  if(CMAKE_BUILD_EARLY_EXPANSION)
    return()
  endif()
  _certbundle_parse_arguments(certbundle_add "FAIL_ON_WARNING"
    "TARGET;MANIFEST;OUTPUT_DIR;FORMAT;CHECK" "" "TARGET" ${ARGN})
  _certbundle_check_target(certbundle_add "${ARG_TARGET}")
  if(NOT DEFINED ARG_CHECK)
    set(ARG_CHECK ERROR)
  endif()
  if(NOT ARG_CHECK MATCHES "^(ERROR|WARN|OFF)$")
    message(FATAL_ERROR "certbundle_add: CHECK \"${ARG_CHECK}\" is not ERROR, WARN or OFF")
  endif()
  if(ARG_FAIL_ON_WARNING AND NOT ARG_CHECK STREQUAL "ERROR")
    message(FATAL_ERROR "certbundle_add: FAIL_ON_WARNING needs CHECK ERROR (CHECK is ${ARG_CHECK})")
  endif()
  if(NOT DEFINED ARG_MANIFEST)
    set(ARG_MANIFEST certbundle.toml)
  endif()
  get_filename_component(_manifest "${ARG_MANIFEST}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${_manifest}" OR IS_DIRECTORY "${_manifest}")
    message(FATAL_ERROR "certbundle_add: MANIFEST \"${_manifest}\" does not exist "
      "(write one with `certbundle init`)")
  endif()
  get_filename_component(_stem "${_manifest}" NAME_WE)
  string(MAKE_C_IDENTIFIER "${_stem}" _stem)
  string(MAKE_C_IDENTIFIER "${ARG_TARGET}" _target_id)
  if(DEFINED ARG_OUTPUT_DIR)
    get_filename_component(_out "${ARG_OUTPUT_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  else()
    set(_out "${CMAKE_CURRENT_BINARY_DIR}/certbundle/${_target_id}/${_stem}")
  endif()
  file(RELATIVE_PATH _rel "${CMAKE_BINARY_DIR}" "${_out}")
  if(_rel MATCHES "^\\.\\./" OR IS_ABSOLUTE "${_rel}")
    message(FATAL_ERROR "certbundle_add: OUTPUT_DIR \"${_out}\" is outside the binary "
      "directory ${CMAKE_BINARY_DIR}")
  endif()
  _certbundle_version_args(certbundle_add "${ARG_FORMAT}" _version_args)

  # What the manifest makes, and what it reads: the tool's plan.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_manifest}")
  _certbundle_tool(certbundle_add CONFIGURE _tool _tool_depends _tool_targets)
  _certbundle_plan(certbundle_add "${_tool}" "${_manifest}" "${_version_args}" _plan)
  string(JSON _assumed TYPE "${_plan}" assumed)
  if(_assumed STREQUAL "STRING")
    string(JSON _note GET "${_plan}" assumed)
    message(STATUS "certbundle: note: ${_note}")
  endif()

  # Inputs: every one must exist now; the lock is checked against the manifest's endpoints.
  set(_depends "")
  string(JSON _n LENGTH "${_plan}" inputs)
  if(_n GREATER 0)
    math(EXPR _last "${_n} - 1")
    foreach(_i RANGE ${_last})
      string(JSON _path GET "${_plan}" inputs ${_i} path)
      string(JSON _role GET "${_plan}" inputs ${_i} role)
      string(JSON _exists GET "${_plan}" inputs ${_i} exists)
      if(_role STREQUAL "lock")
        set(_lock "${_path}")
      endif()
      if(NOT _exists)
        if(_role STREQUAL "lock")
          message(FATAL_ERROR "certbundle_add: MANIFEST \"${_manifest}\" has endpoints and no "
            "lock ${_path}: run `certbundle lock` beside it (and commit the lock)")
        endif()
        message(FATAL_ERROR "certbundle_add: MANIFEST \"${_manifest}\": ${_role} "
          "\"${_path}\" does not exist")
      endif()
      list(APPEND _depends "${_path}")
    endforeach()
  endif()
  string(JSON _n LENGTH "${_plan}" endpoints)
  if(_n GREATER 0)
    file(READ "${_lock}" _lock_text)
    string(JSON _locked ERROR_VARIABLE _error GET "${_lock_text}" endpoints)
    if(_error)
      message(FATAL_ERROR "certbundle_add: MANIFEST \"${_manifest}\": its lock ${_lock} is "
        "not a certbundle lock (${_error}): run `certbundle lock`")
    endif()
    math(EXPR _last "${_n} - 1")
    foreach(_i RANGE ${_last})
      string(JSON _endpoint GET "${_plan}" endpoints ${_i})
      string(JSON _entry ERROR_VARIABLE _error GET "${_locked}" "${_endpoint}")
      if(_error)
        message(FATAL_ERROR "certbundle_add: MANIFEST \"${_manifest}\": endpoint \"${_endpoint}\" "
          "is not in ${_lock}, which is older than the manifest: run `certbundle lock`")
      endif()
    endforeach()
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_lock}")
  endif()

  # Outputs: every file `build` writes; the embedded ones with ESP-IDF's symbols.
  _certbundle_is_idf(_idf)
  string(JSON _report GET "${_plan}" report)
  set(_outputs "${_out}/${_report}")
  set(_embed "")
  string(JSON _n LENGTH "${_plan}" outputs)
  if(_n GREATER 0)
    math(EXPR _last "${_n} - 1")
    foreach(_i RANGE ${_last})
      string(JSON _line GET "${_plan}" outputs ${_i} line)
      string(JSON _kind GET "${_plan}" outputs ${_i} kind)
      string(JSON _nf LENGTH "${_plan}" outputs ${_i} files)
      if(_nf EQUAL 0)
        continue()
      endif()
      math(EXPR _last_file "${_nf} - 1")
      foreach(_j RANGE ${_last_file})
        string(JSON _file GET "${_plan}" outputs ${_i} files ${_j} name)
        list(APPEND _outputs "${_out}/${_file}")
        string(JSON _type TYPE "${_plan}" outputs ${_i} files ${_j} embed)
        if(NOT _type STREQUAL "STRING")
          continue()
        endif()
        string(JSON _mode GET "${_plan}" outputs ${_i} files ${_j} embed)
        string(JSON _symbol GET "${_plan}" outputs ${_i} files ${_j} symbol)
        # The symbol ESP-IDF (and _certbundle_embed) derive from the file name.
        string(MAKE_C_IDENTIFIER "${_file}" _id)
        if(NOT _symbol STREQUAL "_binary_${_id}_start")
          message(FATAL_ERROR "certbundle_add: the tool names ${_file}'s symbol ${_symbol}, "
            "this module _binary_${_id}_start: a certbundle tool of another version?")
        endif()
        list(APPEND _embed "${_out}/${_file}:${_mode}")
        if(_idf AND CONFIG_MBEDTLS_CERTIFICATE_BUNDLE AND _kind STREQUAL "bundle" AND
            _file STREQUAL "x509_crt_bundle")
          message(FATAL_ERROR "certbundle_add: MANIFEST \"${_manifest}\":${_line}: the "
            "bundle name x509_crt_bundle is also mbedtls's own bundle (CONFIG_MBEDTLS_CERTIFICATE_BUNDLE): "
            "give [bundle] another name, e.g. name = \"app_crt_bundle\"")
        endif()
      endforeach()
    endforeach()
  endif()
  if(NOT _embed)
    message(FATAL_ERROR "certbundle_add: MANIFEST \"${_manifest}\" has no output to embed: add a "
      "[bundle] or a [[pem]] (with emit \"bin\" / \"pem\")")
  endif()

  _certbundle_unique("${_target_id}_certbundle" _name)
  file(RELATIVE_PATH _manifest_rel "${CMAKE_SOURCE_DIR}" "${_manifest}")
  # The options given to the tool, as a file the outputs depend on: a new IDF version (or FORMAT)
  # remakes them, with any generator.
  file(CONFIGURE OUTPUT "${_out}/certbundle-options.txt" CONTENT "${_version_args}\n" @ONLY)
  add_custom_command(OUTPUT ${_outputs}
    COMMAND "${_tool}" build "${_manifest}" --out "${_out}" -q ${_version_args}
    DEPENDS ${_depends} "${_out}/certbundle-options.txt" ${_tool_depends}
    COMMENT "certbundle: building the outputs of ${_manifest_rel}"
    VERBATIM)
  add_custom_target(${_name} DEPENDS ${_outputs})
  foreach(_t IN LISTS _tool_targets)
    add_dependencies(${_name} ${_t})
  endforeach()

  # The check, at every build (a custom target is always out of date).
  if(ARG_CHECK STREQUAL "ERROR")
    set(_strict "")
    if(ARG_FAIL_ON_WARNING)
      set(_strict --strict)
    endif()
    add_custom_target(${_name}_check
      COMMAND "${_tool}" check "${_manifest}" --format gcc ${_strict} ${_version_args}
      COMMENT "certbundle: checking ${_manifest_rel}"
      VERBATIM)
  elseif(ARG_CHECK STREQUAL "WARN")
    # The module in script mode runs the check and passes only exit codes 0 and 1 (findings).
    get_property(_module GLOBAL PROPERTY _CERTBUNDLE_MODULE_FILE)
    set(_version_defines "")
    if(_version_args)
      list(GET _version_args 0 _option)
      list(GET _version_args 1 _value)
      set(_version_defines "-DCERTBUNDLE_CHECK_OPTION=${_option}" "-DCERTBUNDLE_CHECK_VALUE=${_value}")
    endif()
    add_custom_target(${_name}_check
      COMMAND "${CMAKE_COMMAND}" "-DCERTBUNDLE_CHECK_TOOL=${_tool}"
        "-DCERTBUNDLE_CHECK_MANIFEST=${_manifest}" ${_version_defines} -P "${_module}"
      COMMENT "certbundle: checking ${_manifest_rel} (CHECK WARN: findings do not fail the build)"
      VERBATIM)
  endif()
  if(TARGET ${_name}_check)
    foreach(_t IN LISTS _tool_targets)
      add_dependencies(${_name}_check ${_t})
    endforeach()
    add_dependencies(${ARG_TARGET} ${_name}_check)
  endif()
  _certbundle_embed(certbundle_add ${ARG_TARGET} ${_name} "${_out}/${_stem}_embedded.h" ${_embed})
endfunction()

# _certbundle_check_script(): `cmake -P certbundle.cmake` with CERTBUNDLE_CHECK_*: runs
# `certbundle check --format gcc` (its report passes through) for CHECK WARN. Findings (exit 1)
# do not fail; a check that cannot run (exit 2 to 5, 70) does.
function(_certbundle_check_script)
  set(_version "")
  if(CERTBUNDLE_CHECK_OPTION)
    set(_version "${CERTBUNDLE_CHECK_OPTION}" "${CERTBUNDLE_CHECK_VALUE}")
  endif()
  execute_process(COMMAND "${CERTBUNDLE_CHECK_TOOL}" check "${CERTBUNDLE_CHECK_MANIFEST}"
    --format gcc ${_version} RESULT_VARIABLE _result)
  if(_result EQUAL 1)
    message("certbundle: the check found errors; CHECK WARN: the build goes on")
  elseif(NOT _result EQUAL 0)
    message(FATAL_ERROR "certbundle: the check of ${CERTBUNDLE_CHECK_MANIFEST} could not run "
      "(exit ${_result})")
  endif()
endfunction()

# _certbundle_toml_array(<out> <values>...): a TOML array of basic strings.
function(_certbundle_toml_array out)
  set(_items "")
  foreach(_v IN LISTS ARGN)
    string(REPLACE "\\" "\\\\" _v "${_v}")
    string(REPLACE "\"" "\\\"" _v "${_v}")
    list(APPEND _items "\"${_v}\"")
  endforeach()
  string(JOIN ", " _joined ${_items})
  set(${out} "[${_joined}]" PARENT_SCOPE)
endfunction()

# _certbundle_add_single(<function> <target> <name> <type> <out-dir> <manifest-text> <files>...)
#
# One output from a manifest written into the binary dir (no endpoints, so no lock), built by
# `certbundle build` and embedded as <type>.
function(_certbundle_add_single function target name type out manifest_text)
  _certbundle_tool(${function} STEP _tool _tool_depends _tool_targets)
  set(_manifest "${out}/certbundle.toml")
  file(CONFIGURE OUTPUT "${_manifest}" CONTENT "${manifest_text}" @ONLY)
  string(MAKE_C_IDENTIFIER "${name}" _id)
  string(MAKE_C_IDENTIFIER "${target}" _target_id)
  _certbundle_unique("${_target_id}_${_id}" _target_name)
  add_custom_command(OUTPUT "${out}/${name}"
    COMMAND ${_tool} build "${_manifest}" --out "${out}" -q
    DEPENDS "${_manifest}" ${ARGN} ${_tool_depends}
    COMMENT "certbundle: writing ${name}"
    VERBATIM)
  add_custom_target(${_target_name} DEPENDS "${out}/${name}")
  foreach(_t IN LISTS _tool_targets)
    add_dependencies(${_target_name} ${_t})
  endforeach()
  _certbundle_embed(${function} ${target} ${_target_name} "${out}/${_id}_embedded.h"
    "${out}/${name}:${type}")
endfunction()

# _certbundle_single_output_dir(<function> <out-var>): for certbundle_add_bundle and
# certbundle_add_pem, whose ARG_TARGET, ARG_NAME and ARG_OUTPUT_DIR it reads: stops when NAME is a
# path, and sets <out-var> to the output directory (OUTPUT_DIR, or
# ${CMAKE_CURRENT_BINARY_DIR}/certbundle/<target>/<name>).
function(_certbundle_single_output_dir fn out_var)
  if(ARG_NAME MATCHES "[/\\\\]")
    message(FATAL_ERROR "${fn}: NAME \"${ARG_NAME}\" is a file name, not a path")
  endif()
  if(DEFINED ARG_OUTPUT_DIR)
    get_filename_component(_out "${ARG_OUTPUT_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  else()
    string(MAKE_C_IDENTIFIER "${ARG_TARGET}" _target_id)
    set(_out "${CMAKE_CURRENT_BINARY_DIR}/certbundle/${_target_id}/${ARG_NAME}")
  endif()
  set(${out_var} "${_out}" PARENT_SCOPE)
endfunction()

# certbundle_add_bundle
# ---------------------
#
# @brief Write one ESP-IDF certificate bundle, without a manifest or a lock, and embed it.
#
# @param[in] TARGET <target>       the executable or library that embeds it
# @param[in] NAME <name>           the file name, hence the symbols _binary_<name>_start/_end
#                                  (inside ESP-IDF, not x509_crt_bundle when mbedtls embeds its own)
# @param[in] ROOTS all|common|none Mozilla's roots from the snapshot built into certbundle: every
#                                  one the default policy selects, ESP-IDF's common CAs, or none
# @param[in, optional] INCLUDE <pattern>...  more Mozilla roots by label, glob or SHA-256
# @param[in, optional] EXTRA <file>...       PEM or DER files of private CAs
# @param[in, optional] FORMAT v1|v2          default: from IDF_VERSION_MAJOR/MINOR inside
#                                            ESP-IDF (up to 5.3 V1, from 5.4 V2), else V2
# @param[in, optional] OUTPUT_DIR <dir>      default ${CMAKE_CURRENT_BINARY_DIR}/certbundle/<target>/<name>
#
# Embedded as BINARY; <OUTPUT_DIR>/<name>_embedded.h declares _binary_<name>_start/_end and
# CERTBUNDLE_<NAME>_SIZE. There is no expiry check: use certbundle_add for that.
function(certbundle_add_bundle)
  if(CMAKE_BUILD_EARLY_EXPANSION)
    return()
  endif()
  _certbundle_parse_arguments(certbundle_add_bundle "" "TARGET;NAME;ROOTS;FORMAT;OUTPUT_DIR"
    "INCLUDE;EXTRA" "TARGET;NAME;ROOTS" ${ARGN})
  _certbundle_check_target(certbundle_add_bundle "${ARG_TARGET}")
  if(NOT ARG_ROOTS MATCHES "^(all|common|none)$")
    message(FATAL_ERROR "certbundle_add_bundle: ROOTS \"${ARG_ROOTS}\" is not all, common or none")
  endif()
  _certbundle_single_output_dir(certbundle_add_bundle _out)
  set(_policy "")
  if(ARG_FORMAT)
    string(TOLOWER "${ARG_FORMAT}" _f)
    if(NOT _f MATCHES "^v[12]$")
      message(FATAL_ERROR "certbundle_add_bundle: FORMAT \"${ARG_FORMAT}\" is not v1 or v2")
    endif()
    set(_policy "[policy]\nformat = \"${_f}\"\n\n")
  else()
    _certbundle_idf_version(_idf_version)
    if(_idf_version)
      set(_policy "[policy]\nidf_version = \"${_idf_version}\"\n\n")
    endif()
  endif()
  set(_extra "")
  foreach(_f IN LISTS ARG_EXTRA)
    get_filename_component(_f "${_f}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT EXISTS "${_f}")
      message(FATAL_ERROR "certbundle_add_bundle: EXTRA \"${_f}\" does not exist")
    endif()
    list(APPEND _extra "${_f}")
  endforeach()
  _certbundle_toml_array(_include_toml ${ARG_INCLUDE})
  _certbundle_toml_array(_extra_toml ${_extra})
  set(_text "# Written by certbundle_add_bundle(TARGET ${ARG_TARGET} NAME ${ARG_NAME}); do not edit.\n"
    "${_policy}[bundle]\nname = \"${ARG_NAME}\"\nroots = \"${ARG_ROOTS}\"\n"
    "include = ${_include_toml}\nextra = ${_extra_toml}\n")
  string(JOIN "" _text ${_text})
  _certbundle_add_single(certbundle_add_bundle "${ARG_TARGET}" "${ARG_NAME}" BINARY "${_out}"
    "${_text}" ${_extra})
endfunction()

# certbundle_add_pem
# ------------------
#
# @brief Write one PEM buffer of CA certificates (for esp_tls's cacert_buf), without a manifest
#        or a lock, and embed it.
#
# @param[in] TARGET <target>      the executable or library that embeds it
# @param[in] NAME <name>          the file name, e.g. server_root_cert.pem, hence the symbols
#                                 _binary_server_root_cert_pem_start/_end
# @param[in] CERTS <cert>...      PEM/DER files (an existing path, relative to the current source
#                                 dir, or a name ending .pem .crt .cer .der) and Mozilla roots (a
#                                 label, glob or SHA-256): files after labels, each once
# @param[in, optional] OUTPUT_DIR <dir>  default ${CMAKE_CURRENT_BINARY_DIR}/certbundle/<target>/<name>
#
# Embedded as TEXT: _end - _start is the length of the text plus its NUL, what esp_tls's
# cacert_bytes needs. <OUTPUT_DIR>/<name>_embedded.h declares the symbols and
# CERTBUNDLE_<NAME>_SIZE. There is no expiry check: use certbundle_add for that.
function(certbundle_add_pem)
  if(CMAKE_BUILD_EARLY_EXPANSION)
    return()
  endif()
  _certbundle_parse_arguments(certbundle_add_pem "" "TARGET;NAME;OUTPUT_DIR" "CERTS"
    "TARGET;NAME;CERTS" ${ARGN})
  _certbundle_check_target(certbundle_add_pem "${ARG_TARGET}")
  _certbundle_single_output_dir(certbundle_add_pem _out)
  set(_files "")
  set(_labels "")
  foreach(_c IN LISTS ARG_CERTS)
    get_filename_component(_path "${_c}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(EXISTS "${_path}" AND NOT IS_DIRECTORY "${_path}")
      list(APPEND _files "${_path}")
    elseif(_c MATCHES "\\.(pem|crt|cer|der)$")
      message(FATAL_ERROR "certbundle_add_pem: CERTS \"${_path}\" does not exist")
    else()
      list(APPEND _labels "${_c}")
    endif()
  endforeach()
  _certbundle_toml_array(_labels_toml ${_labels})
  _certbundle_toml_array(_files_toml ${_files})
  set(_text "# Written by certbundle_add_pem(TARGET ${ARG_TARGET} NAME ${ARG_NAME}); do not edit.\n"
    "[[pem]]\nname = \"${ARG_NAME}\"\nlabels = ${_labels_toml}\nfiles = ${_files_toml}\n")
  string(JOIN "" _text ${_text})
  _certbundle_add_single(certbundle_add_pem "${ARG_TARGET}" "${ARG_NAME}" TEXT "${_out}"
    "${_text}" ${_files})
endfunction()

# `cmake -P certbundle.cmake` with -DCERTBUNDLE_EMBED_INPUT=... or -DCERTBUNDLE_CHECK_TOOL=...:
# the embedding step and the CHECK WARN step above.
if(CMAKE_SCRIPT_MODE_FILE AND DEFINED CERTBUNDLE_EMBED_INPUT)
  _certbundle_embed_script()
elseif(CMAKE_SCRIPT_MODE_FILE AND DEFINED CERTBUNDLE_CHECK_TOOL)
  _certbundle_check_script()
endif()
