# Every e2e program also runs under valgrind's memcheck at -O0 and -O1
# (e2e.<name>.vg0, e2e.<name>.vg1; OpenMP programs with 2 threads): it sees
# reads of uninitialized memory, which ASan does not and which otherwise
# show up only as garbage values. Any memcheck error fails the test (exit
# 99). Included by test/CMakeLists.txt; skipped without valgrind.
# out_of_memory.c is left out: it limits its address space (RLIMIT_AS),
# which leaves valgrind itself no room.
find_program(CT_VALGRIND valgrind)
if(NOT CT_VALGRIND)
  message(STATUS "Cotangent: valgrind not found, e2e.*.vg0/vg1 tests not registered")
  return()
endif()
file(GLOB ct_vg_sources ${CMAKE_CURRENT_SOURCE_DIR}/e2e/*.c)
list(FILTER ct_vg_sources EXCLUDE REGEX "/out_of_memory\\.c$")
foreach(src ${ct_vg_sources})
  get_filename_component(name ${src} NAME_WE)
  set(mode valgrind)
  if(name MATCHES "^omp_")
    set(mode omp-valgrind)
  endif()
  foreach(level 0 1)
    add_test(NAME e2e.${name}.vg${level}
             COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/e2e/run.sh ${CMAKE_BINARY_DIR}/bin/cotangent-cc
                     ${src} -O${level} ${CMAKE_CURRENT_BINARY_DIR}/e2e ${mode})
    set_tests_properties(e2e.${name}.vg${level} PROPERTIES TIMEOUT 600)
  endforeach()
endforeach()
file(GLOB ct_vg_cxx_sources ${CMAKE_CURRENT_SOURCE_DIR}/e2e/cxx/*.cpp)
foreach(src ${ct_vg_cxx_sources})
  get_filename_component(name ${src} NAME_WE)
  foreach(level 0 1)
    add_test(NAME e2e.cxx.${name}.vg${level}
             COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/e2e/run.sh ${CMAKE_BINARY_DIR}/bin/cotangent-c++
                     ${src} -O${level} ${CMAKE_CURRENT_BINARY_DIR}/e2e/cxx valgrind)
    set_tests_properties(e2e.cxx.${name}.vg${level} PROPERTIES TIMEOUT 600)
  endforeach()
endforeach()
