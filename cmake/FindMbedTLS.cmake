#[=======================================================================[.rst:
FindMbedTLS
-----------

Finds Mbed TLS (Debian's libmbedtls-dev ships no CMake package, only headers and libraries).

Imported targets
^^^^^^^^^^^^^^^^

``MbedTLS::mbedcrypto``
  The crypto library.
``MbedTLS::mbedx509``
  X.509 parsing and verification (links ``MbedTLS::mbedcrypto``).
``MbedTLS::mbedtls``
  The TLS library (links ``MbedTLS::mbedx509``).

Result variables
^^^^^^^^^^^^^^^^

``MbedTLS_FOUND``, ``MbedTLS_VERSION`` (from ``mbedtls/build_info.h`` or ``mbedtls/version.h``),
``MbedTLS_INCLUDE_DIR``.

Hints
^^^^^

``MbedTLS_ROOT`` (a prefix with ``include/`` and ``lib/``), as for every find module.
certbundle's device verifier is written against the Mbed TLS 2.28 API (Debian 12).
#]=======================================================================]
include(FindPackageHandleStandardArgs)

find_path(MbedTLS_INCLUDE_DIR NAMES mbedtls/ssl.h)
find_library(MbedTLS_mbedcrypto_LIBRARY NAMES mbedcrypto)
find_library(MbedTLS_mbedx509_LIBRARY NAMES mbedx509)
find_library(MbedTLS_mbedtls_LIBRARY NAMES mbedtls)
mark_as_advanced(MbedTLS_INCLUDE_DIR MbedTLS_mbedcrypto_LIBRARY MbedTLS_mbedx509_LIBRARY
                 MbedTLS_mbedtls_LIBRARY)

if(MbedTLS_INCLUDE_DIR)
  foreach(_mbedtls_header IN ITEMS mbedtls/build_info.h mbedtls/version.h)
    if(EXISTS "${MbedTLS_INCLUDE_DIR}/${_mbedtls_header}")
      file(STRINGS "${MbedTLS_INCLUDE_DIR}/${_mbedtls_header}" _mbedtls_version_line
           REGEX "^#define[ \t]+MBEDTLS_VERSION_STRING[ \t]+\"[0-9.]+\"")
      if(_mbedtls_version_line)
        string(REGEX REPLACE ".*\"([0-9.]+)\".*" "\\1" MbedTLS_VERSION "${_mbedtls_version_line}")
        break()
      endif()
    endif()
  endforeach()
  unset(_mbedtls_version_line)
  unset(_mbedtls_header)
endif()

find_package_handle_standard_args(MbedTLS
  REQUIRED_VARS MbedTLS_mbedtls_LIBRARY MbedTLS_mbedx509_LIBRARY MbedTLS_mbedcrypto_LIBRARY
                MbedTLS_INCLUDE_DIR
  VERSION_VAR MbedTLS_VERSION)

if(MbedTLS_FOUND)
  foreach(_mbedtls_lib IN ITEMS mbedcrypto mbedx509 mbedtls)
    if(NOT TARGET MbedTLS::${_mbedtls_lib})
      add_library(MbedTLS::${_mbedtls_lib} UNKNOWN IMPORTED)
      set_target_properties(MbedTLS::${_mbedtls_lib} PROPERTIES
        IMPORTED_LOCATION "${MbedTLS_${_mbedtls_lib}_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${MbedTLS_INCLUDE_DIR}")
    endif()
  endforeach()
  unset(_mbedtls_lib)
  set_property(TARGET MbedTLS::mbedx509 APPEND PROPERTY INTERFACE_LINK_LIBRARIES MbedTLS::mbedcrypto)
  set_property(TARGET MbedTLS::mbedtls APPEND PROPERTY INTERFACE_LINK_LIBRARIES MbedTLS::mbedx509)
endif()
