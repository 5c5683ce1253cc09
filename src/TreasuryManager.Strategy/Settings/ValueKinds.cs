namespace TreasuryManager.Strategy.Settings;

/// <summary>What a value of a given type must look like, in the words an operator reads: one home for the keeper's
/// settings ("is not …"), the command line's parse errors and the scenario files' errors (which otherwise name .NET
/// types such as System.Int32).</summary>
public static class ValueKinds
{
    /// <param name="enumName">How the source spells an enumeration's values (a scenario file: snake_case); null: as declared.</param>
    /// <param name="inRange">Whether a whole number is said to be "in range" (false when the caller says a number too large
    /// for the type apart, with its range).</param>
    public static string Describe(Type type, Func<string, string>? enumName = null, bool inRange = true)
    {
        ArgumentNullException.ThrowIfNull(type);
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum) return $"one of {string.Join(", ", Enum.GetNames(type).Select(enumName ?? (n => n)))}";
        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal)) return "a number (a dot for decimals, e.g. 0.5)";
        if (IsWholeNumber(type))
            return (type.Name.StartsWith('U') ? "a whole number, not negative" : "a whole number") + (!inRange ? "" : type.Name.StartsWith('U') ? ", in range" : " in range");
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(string)) return "a string";
        return $"a {type.Name}";
    }

    /// <summary>Whether <paramref name="type"/> is one of the whole-number types (int, long, short and their unsigned kinds).</summary>
    public static bool IsWholeNumber(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort);
    }

    /// <summary>A parse error's ".NET type" wording put in words: "as expected type 'System.Int32'" → "as a whole number in range".</summary>
    public static string InWords(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return System.Text.RegularExpressions.Regex.Replace(message, @"as expected type '([\w.`\[\], ]+)'",
            m => "as " + (Type.GetType(m.Groups[1].Value) is { } t ? Describe(t) : $"a {m.Groups[1].Value[(m.Groups[1].Value.LastIndexOf('.') + 1)..]}"));
    }
}
