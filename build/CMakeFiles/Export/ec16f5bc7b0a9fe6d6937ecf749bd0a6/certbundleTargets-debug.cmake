#----------------------------------------------------------------
# Generated CMake target import file for configuration "Debug".
#----------------------------------------------------------------

# Commands may need to know the format version.
set(CMAKE_IMPORT_FILE_VERSION 1)

# Import target "certbundle::certbundle" for configuration "Debug"
set_property(TARGET certbundle::certbundle APPEND PROPERTY IMPORTED_CONFIGURATIONS DEBUG)
set_target_properties(certbundle::certbundle PROPERTIES
  IMPORTED_LINK_INTERFACE_LANGUAGES_DEBUG "CXX"
  IMPORTED_LOCATION_DEBUG "${_IMPORT_PREFIX}/lib/libcertbundle.a"
  )

list(APPEND _cmake_import_check_targets certbundle::certbundle )
list(APPEND _cmake_import_check_files_for_certbundle::certbundle "${_IMPORT_PREFIX}/lib/libcertbundle.a" )

# Import target "certbundle::tool" for configuration "Debug"
set_property(TARGET certbundle::tool APPEND PROPERTY IMPORTED_CONFIGURATIONS DEBUG)
set_target_properties(certbundle::tool PROPERTIES
  IMPORTED_LOCATION_DEBUG "${_IMPORT_PREFIX}/bin/certbundle"
  )

list(APPEND _cmake_import_check_targets certbundle::tool )
list(APPEND _cmake_import_check_files_for_certbundle::tool "${_IMPORT_PREFIX}/bin/certbundle" )

# Commands beyond this point should not need to know the version.
set(CMAKE_IMPORT_FILE_VERSION)
