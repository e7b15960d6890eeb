# Install rules and the exported CMake package: find_package(certbundle) gives
# certbundle::certbundle (the library) and certbundle::tool (the executable).
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
configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/certbundleConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/certbundleConfig.cmake"
  INSTALL_DESTINATION ${_config_dir})
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/certbundleConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES
  "${PROJECT_BINARY_DIR}/certbundleConfig.cmake"
  "${PROJECT_BINARY_DIR}/certbundleConfigVersion.cmake"
  DESTINATION ${_config_dir})
install(FILES "${PROJECT_SOURCE_DIR}/mozilla/PROVENANCE" "${PROJECT_SOURCE_DIR}/mozilla/certdata.txt"
  DESTINATION ${CMAKE_INSTALL_DATADIR}/certbundle/mozilla)
