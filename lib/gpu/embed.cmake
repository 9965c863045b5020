# cmake -DIN=kernels.ptx -DOUT=kernels_ptx.c -P embed.cmake: the PTX text as
# the C string ct_gpu_kernels_ptx (an empty one when IN is empty).
set(text "")
if(IN)
  file(READ "${IN}" text)
endif()
string(REPLACE "\\" "\\\\" text "${text}")
string(REPLACE "\"" "\\\"" text "${text}")
string(REPLACE "\n" "\\n\"\n\"" text "${text}")
file(WRITE "${OUT}" "/* generated from the PTX of lib/gpu/kernels.c by lib/gpu/embed.cmake */\nconst char ct_gpu_kernels_ptx[] =\n\"${text}\";\n")
