using System.IO.Compression;
using System.Text.Json;

namespace TreasuryManager.Ethereum.Tests.Vectors;

/// <summary>
/// Loads the ethers.js test vectors in tests/vectors (gzip JSON arrays). Tests take whatever
/// cases a file holds, so the same file with other cases of the same format must pass too.
/// </summary>
public static class VectorFile
{
    public static JsonElement[] Load(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "vectors", name);
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var doc = JsonDocument.Parse(gzip);
        return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    /// <summary>xunit member data: one row per case, carrying the case's index and name for the report.</summary>
    public static TheoryData<int, string> Cases(string name)
    {
        var data = new TheoryData<int, string>();
        var cases = Load(name);
        for (var i = 0; i < cases.Length; i++)
            data.Add(i, cases[i].TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : $"case {i}");
        return data;
    }

    public static string Str(this JsonElement e, string property) => e.GetProperty(property).GetString()!;
}
