using System.Buffers.Binary;

namespace ContrastiveLab.Runtime;

/// <summary>
/// Reads the version requirements (<c>.gnu.version_r</c>) of a 64-bit little-endian ELF shared library and
/// marks selected ones weak (<c>VER_FLG_WEAK</c>), so that the dynamic loader tolerates their absence.
/// </summary>
/// <remarks>
/// The GCC 13 build of <c>libLibTorchSharp.so</c> requires <c>GLIBCXX_3.4.32</c> only for the marker symbol
/// <c>std::ios_base_library_init()</c>, which no relocation uses. Marking that single requirement weak lets
/// the library load against the libstdc++ of Debian 12 and Ubuntu 22.04. A requirement is only ever marked
/// weak when every dynamic symbol bound to it is on the caller's list of marker symbols, so a version whose
/// symbols the library really calls is never hidden.
/// </remarks>
public static class ElfVersionPatcher
{
    private const ushort VerFlgWeak = 0x2;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const uint ShtGnuVersym = 0x6fffffff;
    private const uint ShtDynsym = 11;

    /// <summary>One version a library requires from one of its dependencies.</summary>
    public sealed record VersionRequirement(string File, string Version, ushort Index, bool Weak, IReadOnlyList<string> Symbols);

    /// <summary>Lists every version requirement of the library in <paramref name="elf"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a 64-bit little-endian ELF file with sane tables.</exception>
    public static IReadOnlyList<VersionRequirement> ReadRequirements(ReadOnlySpan<byte> elf)
    {
        var layout = Layout.Parse(elf);
        var result = new List<VersionRequirement>();
        foreach (var aux in layout.EnumerateAux(elf))
        {
            result.Add(new VersionRequirement(aux.File, aux.Name, aux.Index, (aux.Flags & VerFlgWeak) != 0,
                layout.SymbolsWithVersion(elf, aux.Index)));
        }
        return result;
    }

    /// <summary>
    /// Returns a copy of <paramref name="elf"/> in which the requirement named <paramref name="version"/> is
    /// weak, or <c>null</c> when it cannot be done safely (no such requirement, or a symbol bound to it is
    /// not one of <paramref name="markerSymbols"/>). An already weak requirement returns an unchanged copy.
    /// </summary>
    public static byte[]? MarkWeak(ReadOnlySpan<byte> elf, string version, IReadOnlyCollection<string> markerSymbols)
    {
        var layout = Layout.Parse(elf);
        foreach (var aux in layout.EnumerateAux(elf))
        {
            if (aux.Name != version)
            {
                continue;
            }
            var symbols = layout.SymbolsWithVersion(elf, aux.Index);
            if (symbols.Any(s => !markerSymbols.Contains(s)))
            {
                return null;
            }
            var copy = elf.ToArray();
            BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(aux.FlagsOffset), (ushort)(aux.Flags | VerFlgWeak));
            return copy;
        }
        return null;
    }

    private readonly record struct Aux(string File, string Name, ushort Index, ushort Flags, int FlagsOffset);

    private readonly record struct Section(uint Type, long Offset, long Size, uint Link, long EntrySize);

    private sealed class Layout
    {
        private readonly Section[] _sections;

        private Layout(Section[] sections) => _sections = sections;

        public static Layout Parse(ReadOnlySpan<byte> elf)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            {
                throw new InvalidDataException("not an ELF file");
            }
            if (elf[4] != 2 || elf[5] != 1)
            {
                throw new InvalidDataException("not a 64-bit little-endian ELF file");
            }
            long shoff = (long)BinaryPrimitives.ReadUInt64LittleEndian(elf[0x28..]);
            int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3a..]);
            int shnum = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3c..]);
            if (shentsize < 64 || shoff < 0 || shoff + (long)shentsize * shnum > elf.Length)
            {
                throw new InvalidDataException("section header table lies outside the file");
            }
            var sections = new Section[shnum];
            for (int i = 0; i < shnum; i++)
            {
                var h = elf.Slice((int)(shoff + (long)i * shentsize), shentsize);
                var s = new Section(
                    BinaryPrimitives.ReadUInt32LittleEndian(h[4..]),
                    (long)BinaryPrimitives.ReadUInt64LittleEndian(h[0x18..]),
                    (long)BinaryPrimitives.ReadUInt64LittleEndian(h[0x20..]),
                    BinaryPrimitives.ReadUInt32LittleEndian(h[0x28..]),
                    (long)BinaryPrimitives.ReadUInt64LittleEndian(h[0x38..]));
                if (s.Type != 8 /* NOBITS */ && (s.Offset < 0 || s.Size < 0 || s.Offset + s.Size > elf.Length))
                {
                    throw new InvalidDataException($"section {i} lies outside the file");
                }
                sections[i] = s;
            }
            return new Layout(sections);
        }

        private Section? Find(uint type) => _sections.Where(s => s.Type == type).Select(s => (Section?)s).FirstOrDefault();

        private string ReadString(ReadOnlySpan<byte> elf, uint strtabIndex, long offset)
        {
            if (strtabIndex >= _sections.Length)
            {
                throw new InvalidDataException("string table index out of range");
            }
            var strtab = _sections[strtabIndex];
            if (offset < 0 || offset >= strtab.Size)
            {
                throw new InvalidDataException("string offset out of range");
            }
            var bytes = elf.Slice((int)(strtab.Offset + offset), (int)(strtab.Size - offset));
            int end = bytes.IndexOf((byte)0);
            return Encoding.ASCII.GetString(end < 0 ? bytes : bytes[..end]);
        }

        public IEnumerable<Aux> EnumerateAux(ReadOnlySpan<byte> elf)
        {
            var result = new List<Aux>();
            if (Find(ShtGnuVerneed) is not { } verneed)
            {
                return result;
            }
            long pos = verneed.Offset;
            long end = verneed.Offset + verneed.Size;
            for (int guard = 0; guard < 10_000; guard++)
            {
                if (pos + 16 > end)
                {
                    throw new InvalidDataException("version requirement entry runs past its section");
                }
                var vn = elf.Slice((int)pos, 16);
                int count = BinaryPrimitives.ReadUInt16LittleEndian(vn[2..]);
                string file = ReadString(elf, verneed.Link, BinaryPrimitives.ReadUInt32LittleEndian(vn[4..]));
                long auxPos = pos + BinaryPrimitives.ReadUInt32LittleEndian(vn[8..]);
                for (int a = 0; a < count; a++)
                {
                    if (auxPos < verneed.Offset || auxPos + 16 > end)
                    {
                        throw new InvalidDataException("version auxiliary entry runs past its section");
                    }
                    var va = elf.Slice((int)auxPos, 16);
                    ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(va[4..]);
                    ushort index = BinaryPrimitives.ReadUInt16LittleEndian(va[6..]);
                    string name = ReadString(elf, verneed.Link, BinaryPrimitives.ReadUInt32LittleEndian(va[8..]));
                    result.Add(new Aux(file, name, index, flags, (int)auxPos + 4));
                    uint nextAux = BinaryPrimitives.ReadUInt32LittleEndian(va[12..]);
                    if (nextAux == 0)
                    {
                        break;
                    }
                    auxPos += nextAux;
                }
                uint next = BinaryPrimitives.ReadUInt32LittleEndian(vn[12..]);
                if (next == 0)
                {
                    return result;
                }
                pos += next;
            }
            throw new InvalidDataException("too many version requirement entries");
        }

        public IReadOnlyList<string> SymbolsWithVersion(ReadOnlySpan<byte> elf, ushort index)
        {
            var names = new List<string>();
            if (Find(ShtDynsym) is not { } dynsym || Find(ShtGnuVersym) is not { } versym)
            {
                return names;
            }
            long entry = dynsym.EntrySize > 0 ? dynsym.EntrySize : 24;
            long count = Math.Min(dynsym.Size / entry, versym.Size / 2);
            for (long i = 0; i < count; i++)
            {
                ushort v = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(elf[(int)(versym.Offset + 2 * i)..]) & 0x7fff);
                if (v != index)
                {
                    continue;
                }
                uint nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(elf[(int)(dynsym.Offset + entry * i)..]);
                names.Add(ReadString(elf, dynsym.Link, nameOffset));
            }
            return names;
        }
    }
}
