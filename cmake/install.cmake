# What `cmake --install` puts under the prefix, and the Debian package
# (`make package`): the smdl binary, libsmdl.so and libsmdl.a, the public
# headers (engine/include/smdl/ only), the standard library, the docs, the
# man pages generated from --help, a CMake package and a pkg-config file, and
# a systemd unit for `smdl serve` (installed, not enabled).
include(CMakePackageConfigHelpers)

install(TARGETS smdl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS smdl_shared LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${SMDL_STATIC_ARCHIVE} DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/engine/include/smdl DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/stdlib/ DESTINATION ${CMAKE_INSTALL_DATADIR}/smdl/stdlib
        FILES_MATCHING PATTERN "*.smdl")
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} FILES_MATCHING PATTERN "*.md")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/embedding ${PROJECT_SOURCE_DIR}/examples/c_api
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

# Man pages, from the same text as --help.
set(SMDL_MAN_DIR ${CMAKE_BINARY_DIR}/man)
add_custom_command(OUTPUT ${SMDL_MAN_DIR}/smdl.1
  COMMAND bash ${PROJECT_SOURCE_DIR}/tools/man.sh $<TARGET_FILE:smdl> ${SMDL_MAN_DIR}
  DEPENDS smdl ${PROJECT_SOURCE_DIR}/tools/man.sh
  COMMENT "Writing the man pages from --help")
add_custom_target(smdl_man ALL DEPENDS ${SMDL_MAN_DIR}/smdl.1)
install(DIRECTORY ${SMDL_MAN_DIR}/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 FILES_MATCHING PATTERN "*.1")

# find_package(smdl 0.2): smdl::smdl and smdl::smdl_static.
set(SMDL_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/smdl)
configure_package_config_file(${PROJECT_SOURCE_DIR}/packaging/smdlConfig.cmake.in
  ${CMAKE_BINARY_DIR}/packaging/smdlConfig.cmake
  INSTALL_DESTINATION ${SMDL_CMAKE_DIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_LIBDIR)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/packaging/smdlConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/packaging/smdlConfig.cmake ${CMAKE_BINARY_DIR}/packaging/smdlConfigVersion.cmake
        DESTINATION ${SMDL_CMAKE_DIR})

# pkg-config: relocatable too (${pcfiledir}).
file(RELATIVE_PATH SMDL_PC_TO_PREFIX ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" SMDL_PC_TO_PREFIX "${SMDL_PC_TO_PREFIX}")
set(SMDL_PC_PRIVATE_LIBS "-lrocksdb -lantlr4-runtime -lre2 -lsimdjson -ldate-tz -lcrypto -lpthread -ldl")
configure_file(${PROJECT_SOURCE_DIR}/packaging/smdl.pc.in ${CMAKE_BINARY_DIR}/packaging/smdl.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/packaging/smdl.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# smdl serve under systemd: the unit and an example configuration.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/smdl.service DESTINATION lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/serve.json DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples/systemd)

# `make package`: a .deb.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME smdl)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "smdl maintainers <smdl@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "IT service management processes under ISO/IEC 20000, as code")
set(CPACK_PACKAGE_DESCRIPTION "smdl checks processes written in SMDL, compiles them to state machines and runs them against records kept in RocksDB: the command line, smdl serve, libsmdl (C++ and C) and the ISO/IEC 20000 standard library.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "graphviz")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/packaging/postinst)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/package)
include(CPack)
