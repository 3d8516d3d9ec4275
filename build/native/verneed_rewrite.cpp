// verneed_rewrite FILE LIBRARY FROM TO
// In the ELF64 shared object FILE, makes the version requirement FROM on LIBRARY (an entry of
// .gnu.version_r) ask for TO instead, where TO is another requirement on the same library that the
// file already lists. Only the entry's name offset and hash change, so the file keeps its size.
// Exit 0: rewritten or nothing to do (FROM absent). Exit 1: not possible, with one line on stderr.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <elf.h>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

static int fail(const std::string& message) {
    std::fprintf(stderr, "verneed_rewrite: %s\n", message.c_str());
    return 1;
}

static uint32_t elf_hash(const char* name) {
    uint32_t h = 0;
    for (auto p = reinterpret_cast<const unsigned char*>(name); *p; ++p) {
        h = (h << 4) + *p;
        uint32_t g = h & 0xf0000000u;
        if (g) h ^= g >> 24;
        h &= ~g;
    }
    return h;
}

template <typename T> static bool read_at(const std::vector<char>& data, size_t offset, T& out) {
    if (offset > data.size() || data.size() - offset < sizeof(T)) return false;
    std::memcpy(&out, data.data() + offset, sizeof(T));
    return true;
}

int main(int argc, char** argv) {
    if (argc != 5) return fail("usage: verneed_rewrite FILE LIBRARY FROM TO");
    const std::string path = argv[1], library = argv[2], from = argv[3], to = argv[4];
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail("cannot open " + path);
    std::vector<char> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    in.close();

    Elf64_Ehdr eh;
    if (!read_at(data, 0, eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
        eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
        return fail(path + " is not a little-endian ELF64 file");

    Elf64_Shdr verneed{}, dynstr{};
    bool found = false;
    for (int i = 0; i < eh.e_shnum; ++i) {
        Elf64_Shdr sh;
        if (!read_at(data, eh.e_shoff + size_t(i) * eh.e_shentsize, sh)) return fail("truncated section table");
        if (sh.sh_type == SHT_GNU_verneed) {
            verneed = sh;
            if (!read_at(data, eh.e_shoff + size_t(sh.sh_link) * eh.e_shentsize, dynstr)) return fail("bad string table link");
            found = true;
        }
    }
    if (!found) return 0;

    auto name_at = [&](uint32_t offset) -> std::string {
        size_t start = dynstr.sh_offset + offset;
        if (start >= data.size()) return {};
        return std::string(data.data() + start, strnlen(data.data() + start, data.size() - start));
    };

    size_t need_off = verneed.sh_offset;
    for (;;) {
        Elf64_Verneed vn;
        if (!read_at(data, need_off, vn)) return fail("truncated .gnu.version_r");
        if (name_at(vn.vn_file) == library) {
            size_t from_off = 0, aux_off = need_off + vn.vn_aux;
            Elf64_Vernaux target{};
            bool have_target = false;
            for (int j = 0; j < vn.vn_cnt; ++j) {
                Elf64_Vernaux aux;
                if (!read_at(data, aux_off, aux)) return fail("truncated .gnu.version_r entry");
                std::string name = name_at(aux.vna_name);
                if (name == from) from_off = aux_off;
                if (name == to) { target = aux; have_target = true; }
                if (aux.vna_next == 0) break;
                aux_off += aux.vna_next;
            }
            if (from_off == 0) return 0;
            if (!have_target) return fail(library + " requirement " + to + " is not listed in " + path);
            Elf64_Vernaux rewritten;
            read_at(data, from_off, rewritten);
            rewritten.vna_name = target.vna_name;
            rewritten.vna_hash = elf_hash(to.c_str());
            std::memcpy(data.data() + from_off, &rewritten, sizeof rewritten);
            std::string tmp = path + ".tmp";
            std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
            out.write(data.data(), std::streamsize(data.size()));
            out.close();
            if (!out) return fail("cannot write " + tmp);
            if (std::rename(tmp.c_str(), path.c_str()) != 0) return fail("cannot replace " + path);
            return 0;
        }
        if (vn.vn_next == 0) break;
        need_off += vn.vn_next;
    }
    return 0;
}
