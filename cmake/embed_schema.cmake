# SPDX-License-Identifier: MIT
# Turns schema/NNN_name.sql files into a C array of migrations:
#   const struct cb_migration cb_schema_migrations[]; size_t cb_schema_count;
# Version N is the number before the first underscore. VAR (default
# cb_schema) names the array: VAR_migrations and VAR_count.
if(NOT VAR)
  set(VAR cb_schema)
endif()
string(REPLACE "|" ";" FILES "${FILES}")
set(out "/* generated from the files in schema/ by cmake/embed_schema.cmake */\n")
string(APPEND out "#include <stddef.h>\n#include \"schema.h\"\n")
set(items "")
foreach(f ${FILES})
  get_filename_component(name ${f} NAME_WE)
  string(REGEX MATCH "^[0-9]+" ver ${name})
  file(READ ${f} sql HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," sql "${sql}")
  string(APPEND out "static const unsigned char ${VAR}_${ver}[] = {${sql}0x00};\n")
  math(EXPR vnum "${ver}")
  string(APPEND items "  { ${vnum}, \"${name}\", (const char *)${VAR}_${ver} },\n")
endforeach()
string(APPEND out "const struct cb_migration ${VAR}_migrations[] = {\n${items}};\n")
string(APPEND out "const size_t ${VAR}_count = sizeof(${VAR}_migrations) / sizeof(${VAR}_migrations[0]);\n")
file(WRITE ${OUT}.tmp "${out}")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
