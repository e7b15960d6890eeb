# cmake -DMODE=... -P run_consumer.cmake: one package test (see CMakeLists.txt beside it).
#
# MODE=install           cmake --install BUILD_DIR into a fresh PREFIX, then check the layout:
#                        the tool, the headers, the static library (with the Mozilla snapshot's
#                        objects in it), the CMake package files and the Mozilla data.
# MODE=find_package      configure consumer/ in WORK with CMAKE_PREFIX_PATH=PREFIX, build, ctest.
# MODE=add_subdirectory  configure consumer/ in WORK with CERTBUNDLE_SOURCE_DIR, build, ctest.
#
# Fails (FATAL_ERROR, so the test fails) naming the step and showing its output.
cmake_minimum_required(VERSION 3.25)

# _run(<step> <command>...): runs the command, echoing it; stops the test if it fails.
function(_run step)
  string(JOIN " " _line ${ARGN})
  message(STATUS "${step}: ${_line}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE _result)
  if(NOT _result EQUAL 0)
    message(FATAL_ERROR "package test: ${step} failed (${_result}): ${_line}")
  endif()
endfunction()

foreach(_var IN ITEMS MODE)
  if(NOT DEFINED ${_var})
    message(FATAL_ERROR "run_consumer.cmake: -D${_var}=... is required")
  endif()
endforeach()

if(MODE STREQUAL "install")
  file(REMOVE_RECURSE "${PREFIX}")
  set(_config_args "")
  if(CONFIG)
    set(_config_args --config "${CONFIG}")
  endif()
  _run(install "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}" ${_config_args})

  set(_missing "")
  foreach(_file IN ITEMS
      "${BINDIR}/certbundle${EXE_SUFFIX}"
      "${LIBDIR}/${LIBRARY}"
      "${INCLUDEDIR}/certbundle/core/error.hpp"
      "${INCLUDEDIR}/certbundle/core/time.hpp"
      "${INCLUDEDIR}/certbundle/x509/certificate.hpp"
      "${INCLUDEDIR}/certbundle/mozilla/certdata.hpp"
      "${LIBDIR}/cmake/certbundle/certbundleConfig.cmake"
      "${LIBDIR}/cmake/certbundle/certbundleConfigVersion.cmake"
      "${LIBDIR}/cmake/certbundle/certbundleTargets.cmake"
      "${DATADIR}/certbundle/mozilla/certdata.txt"
      "${DATADIR}/certbundle/mozilla/PROVENANCE")
    if(NOT EXISTS "${PREFIX}/${_file}")
      list(APPEND _missing "${_file}")
    endif()
  endforeach()
  if(_missing)
    string(JOIN "\n  " _list ${_missing})
    message(FATAL_ERROR "package test: not installed under ${PREFIX}:\n  ${_list}")
  endif()

  # Nothing of the build tree may leak into the installed package.
  file(GLOB _exports "${PREFIX}/${LIBDIR}/cmake/certbundle/*.cmake")
  foreach(_export IN LISTS _exports)
    file(READ "${_export}" _text)
    string(FIND "${_text}" "${BUILD_DIR}" _at)
    if(NOT _at EQUAL -1)
      message(FATAL_ERROR "package test: ${_export} names the build tree ${BUILD_DIR}")
    endif()
  endforeach()

  # The Mozilla snapshot is an OBJECT library linked into libcertbundle.a: a consumer that links
  # only the installed archive must get it.
  if(NM)
    execute_process(COMMAND "${NM}" "${PREFIX}/${LIBDIR}/${LIBRARY}"
      OUTPUT_VARIABLE _symbols RESULT_VARIABLE _result ERROR_QUIET)
    if(NOT _result EQUAL 0 OR NOT _symbols MATCHES "certbundle_snapshot_begin")
      message(FATAL_ERROR
        "package test: ${LIBRARY} does not contain the Mozilla snapshot (certbundle_snapshot_begin)")
    endif()
  endif()

  # The installed data is the vendored snapshot, byte for byte.
  file(SHA256 "${PREFIX}/${DATADIR}/certbundle/mozilla/certdata.txt" _installed)
  file(STRINGS "${PREFIX}/${DATADIR}/certbundle/mozilla/PROVENANCE" _sha REGEX "^sha256:")
  if(NOT _sha MATCHES "${_installed}")
    message(FATAL_ERROR "package test: installed certdata.txt (${_installed}) is not the one "
      "PROVENANCE names (${_sha})")
  endif()
  message(STATUS "certbundle installed to ${PREFIX}")
  return()
endif()

if(NOT MODE MATCHES "^(find_package|add_subdirectory)$")
  message(FATAL_ERROR "run_consumer.cmake: unknown MODE \"${MODE}\"")
endif()

set(_configure
  "${CMAKE_COMMAND}" -S "${CONSUMER_SOURCE_DIR}" -B "${WORK}" -G "${GENERATOR}"
  "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
if(CONFIG)
  list(APPEND _configure "-DCMAKE_BUILD_TYPE=${CONFIG}")
endif()
if(MODE STREQUAL "find_package")
  # Only the scratch prefix: never a certbundle found elsewhere on the machine.
  list(APPEND _configure "-DCMAKE_PREFIX_PATH=${PREFIX}" "-DCERTBUNDLE_SOURCE_DIR="
    "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF")
else()
  # certbundle's defaults as a subproject: no tests, no install rules, no sanitizers (what is
  # tested here is the CMake wiring; a sanitized rebuild of everything would double the time).
  list(APPEND _configure "-DCERTBUNDLE_SOURCE_DIR=${CERTBUNDLE_SOURCE_DIR}"
    "-DCERTBUNDLE_SANITIZE=OFF")
endif()
# Given every time, so that a reused build directory never keeps a value from an earlier run.
if(SANITIZE AND MODE STREQUAL "find_package")
  # The installed library was built with the sanitizers: the consumer must link their runtimes.
  list(APPEND _configure "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined")
else()
  list(APPEND _configure "-DCMAKE_EXE_LINKER_FLAGS=")
endif()

set(_config_args "")
if(CONFIG)
  set(_config_args --config "${CONFIG}")
endif()
_run(configure ${_configure})
_run(build "${CMAKE_COMMAND}" --build "${WORK}" ${_config_args})
_run(test "${CMAKE_CTEST_COMMAND}" --test-dir "${WORK}" --output-on-failure --no-tests=error
  ${_config_args})
