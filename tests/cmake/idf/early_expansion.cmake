# cmake -DCMAKE_BUILD_EARLY_EXPANSION=1 -P early_expansion.cmake: ESP-IDF's first pass over a
# component's CMakeLists.txt, in script mode, where idf_component_register only records the
# component's requirements. The component's file must run through without error and without
# creating anything (add_custom_command and friends would fail in script mode).
if(NOT CMAKE_BUILD_EARLY_EXPANSION)
  message(FATAL_ERROR "early_expansion.cmake: run with -DCMAKE_BUILD_EARLY_EXPANSION=1")
endif()
macro(idf_component_register)
  set(__component_requires "${ARGN}")
endmacro()
include("${CMAKE_CURRENT_LIST_DIR}/main/CMakeLists.txt")
message(STATUS "early expansion: main/CMakeLists.txt ran through")
