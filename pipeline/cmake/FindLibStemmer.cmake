# Finds libstemmer (Snowball), which ships no pkg-config file on Debian.
# Defines LibStemmer::LibStemmer.
find_path(LIBSTEMMER_INCLUDE_DIR libstemmer.h)
find_library(LIBSTEMMER_LIBRARY NAMES stemmer)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(LibStemmer DEFAULT_MSG LIBSTEMMER_LIBRARY LIBSTEMMER_INCLUDE_DIR)
if(LibStemmer_FOUND AND NOT TARGET LibStemmer::LibStemmer)
  add_library(LibStemmer::LibStemmer UNKNOWN IMPORTED)
  set_target_properties(LibStemmer::LibStemmer PROPERTIES
    IMPORTED_LOCATION "${LIBSTEMMER_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LIBSTEMMER_INCLUDE_DIR}")
endif()
mark_as_advanced(LIBSTEMMER_INCLUDE_DIR LIBSTEMMER_LIBRARY)
