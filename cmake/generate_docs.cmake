# cmake -DVIGIL=path/to/vigil -P generate_docs.cmake: the man page and the completion scripts,
# written by the program itself into the current directory.
foreach(pair "help;--man;vigil.1" "completion;bash;vigil.bash" "completion;zsh;_vigil")
  list(GET pair 0 command)
  list(GET pair 1 argument)
  list(GET pair 2 file)
  execute_process(COMMAND ${VIGIL} ${command} ${argument} OUTPUT_FILE ${file} RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "vigil ${command} ${argument} failed: ${status}")
  endif()
endforeach()
