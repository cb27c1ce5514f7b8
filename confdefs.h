/* confdefs.h */
#define PACKAGE_NAME "pakt"
#define PACKAGE_TARNAME "pakt"
#define PACKAGE_VERSION "0.1.0"
#define PACKAGE_STRING "pakt 0.1.0"
#define PACKAGE_BUGREPORT ""
#define PACKAGE_URL ""
#define PACKAGE "pakt"
#define VERSION "0.1.0"
#define HAVE_LIBSYSTEMD 1
