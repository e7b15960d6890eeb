# Test stand-ins for the parts of ESP-IDF's build system that certbundle.cmake meets. No ESP-IDF
# installation is needed: this is what the IDF-shaped fixture (tests/cmake, "cmake: idf") uses.
#
#   IDF_VERSION_MAJOR/MINOR   from -DFIXTURE_IDF_VERSION=X.Y, as ESP-IDF's build sets them
#   IDF_TARGET                esp32
#   idf_component_register    a static library __idf_<component dir name> from SRCS; sets
#                             COMPONENT_LIB in the caller, as ESP-IDF does; records its arguments
#   target_add_binary_data    records its arguments, and embeds the file as ESP-IDF does: an
#                             assembly source <build>/<name>.S defining _binary_<name>_start/_end
#                             (TEXT: one NUL before _end)
#
# Every call is appended to ${CMAKE_BINARY_DIR}/idf-calls.txt, one line each, with absolute paths.
include_guard(GLOBAL)

if(NOT FIXTURE_IDF_VERSION MATCHES "^([0-9]+)\\.([0-9]+)$")
  message(FATAL_ERROR "idf_standins: -DFIXTURE_IDF_VERSION=X.Y is required")
endif()
set(IDF_VERSION_MAJOR ${CMAKE_MATCH_1})
set(IDF_VERSION_MINOR ${CMAKE_MATCH_2})
set(IDF_TARGET esp32)
file(WRITE "${CMAKE_BINARY_DIR}/idf-calls.txt" "")

function(_idf_standin_record text)
  file(APPEND "${CMAKE_BINARY_DIR}/idf-calls.txt" "${text}\n")
endfunction()

function(idf_component_register)
  cmake_parse_arguments(_ "" "" "SRCS;INCLUDE_DIRS;REQUIRES;PRIV_REQUIRES;EMBED_FILES;EMBED_TXTFILES" ${ARGN})
  get_filename_component(_name "${CMAKE_CURRENT_SOURCE_DIR}" NAME)
  set(_lib __idf_${_name})
  add_library(${_lib} STATIC ${__SRCS})
  target_include_directories(${_lib} PUBLIC ${__INCLUDE_DIRS})
  _idf_standin_record("idf_component_register(${ARGN})")
  set(COMPONENT_LIB ${_lib} PARENT_SCOPE)
  set(COMPONENT_NAME ${_name} PARENT_SCOPE)
endfunction()

function(target_add_binary_data target embed_file embed_type)
  cmake_parse_arguments(_ "" "RENAME_TO" "DEPENDS" ${ARGN})
  get_filename_component(embed_file "${embed_file}" ABSOLUTE)
  _idf_standin_record("target_add_binary_data(${target} ${embed_file} ${embed_type})")
  get_filename_component(_name "${embed_file}" NAME)
  string(MAKE_C_IDENTIFIER "${_name}" _id)
  set(_source "${CMAKE_BINARY_DIR}/${_name}.S")
  set(_nul "")
  if(embed_type STREQUAL "TEXT")
    set(_nul ".byte 0")
  endif()
  file(CONFIGURE OUTPUT "${_source}" CONTENT
"/* ${_name}, ${embed_type}: as ESP-IDF's data_file_embed_asm.cmake would embed it */
.section .rodata
.global _binary_${_id}_start
.global _binary_${_id}_end
_binary_${_id}_start:
.incbin \"${embed_file}\"
${_nul}
_binary_${_id}_end:
.section .note.GNU-stack,\"\",%progbits
")
  # ESP-IDF's .S is remade from the file by a custom command; here the .S names the file and
  # the assembler reads it, so the object depends on the file.
  set_source_files_properties("${_source}" PROPERTIES OBJECT_DEPENDS "${embed_file}")
  target_sources(${target} PRIVATE "${_source}")
endfunction()
