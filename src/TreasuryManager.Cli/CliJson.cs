using System.Text.Encodings.Web;
using System.Text.Json;

namespace TreasuryManager.Cli;

/// <summary>
/// How the commands write JSON for an operator and their scripts: valid JSON with text as written (an apostrophe, σ or
/// ± is itself, not <c>\u0027</c>); the output is printed, never embedded in HTML, so the relaxed encoder is safe here.
/// </summary>
internal static class CliJson
{
    public static JsonWriterOptions Writer(bool indented) => new() { Indented = indented, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static readonly JsonSerializerOptions Serializer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
