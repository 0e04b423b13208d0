#include <protobuf-c/protobuf-c.h>

/* The address protobuf-c gives every unset string field, as a function: Swift cannot import the
   array itself. A decoded string at this address was not on the wire. */
static inline const char *pm_protobuf_c_empty_string(void) {
    return protobuf_c_empty_string;
}
