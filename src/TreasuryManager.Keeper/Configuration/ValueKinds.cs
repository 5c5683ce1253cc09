namespace TreasuryManager.Keeper.Configuration;

/// <summary>What a value of a given type must look like, in the words an operator reads: one home for the settings'
/// "is not …" and the command line's parse errors (which otherwise name .NET types such as System.Int32).</summary>
public static class ValueKinds
{
    public static string Describe(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum) return $"one of {string.Join(", ", Enum.GetNames(type))}";
        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal)) return "a number (a dot for decimals, e.g. 0.5)";
        if (type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort))
            return type.Name.StartsWith('U') ? "a whole number, not negative, in range" : "a whole number in range";
        if (type == typeof(bool)) return "true or false";
        return $"a {type.Name}";
    }

    /// <summary>A parse error's ".NET type" wording put in words: "as expected type 'System.Int32'" → "as a whole number in range".</summary>
    public static string InWords(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return System.Text.RegularExpressions.Regex.Replace(message, @"as expected type '([\w.`\[\], ]+)'",
            m => "as " + (Type.GetType(m.Groups[1].Value) is { } t ? Describe(t) : $"a {m.Groups[1].Value[(m.Groups[1].Value.LastIndexOf('.') + 1)..]}"));
    }
}
