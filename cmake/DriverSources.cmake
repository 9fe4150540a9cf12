# The driver sources of each implementation, relative to c_drivers/ and cpp_drivers/,
# without the plugin entry files (plugin.c, plugin.cpp). The main build compiles them with
# the entry file into one plugin per variant (c_drivers/, cpp_drivers/); fuzz/ links them,
# C and C++ into one binary, without the entry files, which would collide on
# drvbench_plugin. Included by the top-level CMakeLists.txt and by fuzz/CMakeLists.txt.
set(DRVBENCH_C_DRIVER_SOURCES
  qrpanic/qrpanic.c
  nullblk/nullblk.c
  ringbuf/ringbuf.c)
set(DRVBENCH_CPP_DRIVER_SOURCES
  qrpanic/qr_encoder.cpp
  qrpanic/bindings.cpp
  nullblk/config.cpp
  nullblk/backing.cpp
  nullblk/null_blk.cpp
  nullblk/bindings.cpp
  ringbuf/ringbuf.cpp
  ringbuf/bindings.cpp)
