# Install rules and the exported CMake package: find_package(certbundle) gives
# certbundle::certbundle (the library), certbundle::tool (the executable), the functions of
# cmake/certbundle.cmake (certbundle_add, ...) and certbundle_MOZILLA_DIR (the vendored snapshot).
# tests/package proves it: it installs this tree and builds a consumer against it.
include_guard(GLOBAL)
include(CMakePackageConfigHelpers)

install(TARGETS certbundle certbundle_tool certbundle_warnings certbundle_sanitizers
  EXPORT certbundleTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY "${PROJECT_SOURCE_DIR}/src/certbundle"
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp")

set(_config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/certbundle)
install(EXPORT certbundleTargets NAMESPACE certbundle:: DESTINATION ${_config_dir})
set(CERTBUNDLE_INSTALL_MOZILLADIR ${CMAKE_INSTALL_DATADIR}/certbundle/mozilla)
configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/certbundleConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/certbundleConfig.cmake"
  INSTALL_DESTINATION ${_config_dir}
  PATH_VARS CERTBUNDLE_INSTALL_MOZILLADIR)
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/certbundleConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
# With the CMake module for consumers (certbundle_add and friends, included by the config file)
# and the find modules of the dependencies that have no CMake package of their own.
install(FILES
  "${PROJECT_BINARY_DIR}/certbundleConfig.cmake"
  "${PROJECT_BINARY_DIR}/certbundleConfigVersion.cmake"
  "${PROJECT_SOURCE_DIR}/cmake/certbundle.cmake"
  "${PROJECT_SOURCE_DIR}/cmake/FindMbedTLS.cmake"
  DESTINATION ${_config_dir})
install(FILES "${PROJECT_SOURCE_DIR}/mozilla/PROVENANCE" "${PROJECT_SOURCE_DIR}/mozilla/certdata.txt"
  DESTINATION ${CERTBUNDLE_INSTALL_MOZILLADIR})
