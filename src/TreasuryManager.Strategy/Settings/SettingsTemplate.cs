using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace TreasuryManager.Strategy.Settings;

/// <summary>
/// Writes settings as JSON with comments from their declarations: each setting's <see cref="SettingAttribute"/>
/// description above it, its value as given (the defaults for `treasury init`). An array of sections is written empty
/// with one commented example entry. The same declarations validate (<see cref="SettingsValidator"/>), so a setting's
/// meaning is written once.
/// </summary>
public static class SettingsTemplate
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The section's body as JSONC, indented by <paramref name="indent"/> spaces (the opening brace included).</summary>
    public static string Render(object section, int indent = 0)
    {
        ArgumentNullException.ThrowIfNull(section);
        var sb = new StringBuilder();
        WriteSection(sb, section, indent, commented: false);
        return sb.ToString();
    }

    private static void WriteSection(StringBuilder sb, object section, int indent, bool commented)
    {
        var pad = new string(' ', indent);
        var c = commented ? "// " : "";
        sb.Append("{\n");
        var settings = SettingsValidator.Settings(section.GetType()).ToArray();
        for (var i = 0; i < settings.Length; i++)
        {
            var (property, setting) = settings[i];
            var value = property.GetValue(section);
            var last = i == settings.Length - 1;
            var inner = pad + "  ";
            foreach (var line in Wrap(setting.Description, 110 - inner.Length))
                sb.Append(inner).Append(c).Append("// ").Append(line).Append('\n');
            sb.Append(inner).Append(c).Append(JsonSerializer.Serialize(property.Name, Json)).Append(": ");
            if (value is not null && SettingsValidator.IsSection(property.PropertyType))
            {
                WriteSection(sb, value, indent + 2, commented);
            }
            else if (property.PropertyType.IsArray && SettingsValidator.IsSection(property.PropertyType.GetElementType()!))
            {
                var element = property.PropertyType.GetElementType()!;
                sb.Append("[]").Append(last ? "\n" : ",\n");
                if (element.GetConstructor(Type.EmptyTypes) is { } ctor && !commented)
                {
                    sb.Append(inner).Append("// one entry:\n");
                    var example = new StringBuilder();
                    WriteSection(example, ctor.Invoke(null), 0, commented: false);
                    foreach (var line in example.ToString().TrimEnd('\n').Split('\n').Where(l => l.Trim().Length > 0))
                        sb.Append(inner).Append("//   ").Append(line).Append('\n');
                }
                if (!last) sb.Append('\n');
                continue;
            }
            else
            {
                sb.Append(Value(value, property.PropertyType, setting));
            }
            sb.Append(last ? "\n" : ",\n");
            if (!last && value is not null && SettingsValidator.IsSection(property.PropertyType)) sb.Append('\n');
        }
        sb.Append(pad).Append(c).Append('}');
    }

    private static string Value(object? value, Type type, SettingAttribute setting) => value switch
    {
        null when type == typeof(string) => JsonSerializer.Serialize(setting.Example ?? "", Json),
        null => "null",
        string s => JsonSerializer.Serialize(s.Length == 0 && setting.Example is { } e ? e : s, Json),
        bool b => b ? "true" : "false",
        Enum e => JsonSerializer.Serialize(e.ToString(), Json),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable => "[]",
        _ => JsonSerializer.Serialize(value.ToString(), Json),
    };

    private static IEnumerable<string> Wrap(string text, int width)
    {
        var line = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line.ToString();
                line.Clear();
            }
            if (line.Length > 0) line.Append(' ');
            line.Append(word);
        }
        if (line.Length > 0) yield return line.ToString();
    }
}
