// Defines std::ios_base_library_init(), the one symbol TorchSharp's native bridge needs from
// GLIBCXX_3.4.32 (GCC 13). Older libstdc++ (Debian 12 ships GCC 12) initialise iostreams through
// std::ios_base::Init instead, so a static Init object does the same job.
#include <ios>

namespace std {
void ios_base_library_init() { static ios_base::Init init; }
}
