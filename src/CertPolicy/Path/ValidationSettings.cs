namespace CertPolicy;

/// <summary>What one validation judges against: the time, the allowances and limits, the purpose, and the revocation lists.</summary>
internal sealed class ValidationSettings
{
    /// <summary>Trusted certificates may be self-issued this many times in a path beyond <see cref="MaxChainDepth"/> (key rollover).</summary>
    public const int SelfIssuedAllowance = 8;

    public ValidationSettings(DateTimeOffset time, TimeSpan clockSkew, int maxChainDepth, int maxSignatureChecks, string? requiredExtendedKeyUsage, RevocationLists revocation)
    {
        // Certificates carry whole seconds; the instant is floored so that notBefore and notAfter compare at that
        // granularity (a certificate is valid during the whole second of its notAfter).
        Time = new DateTimeOffset(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        ClockSkew = clockSkew;
        MaxChainDepth = maxChainDepth;
        MaxSignatureChecks = maxSignatureChecks;
        RequiredExtendedKeyUsage = requiredExtendedKeyUsage;
        Revocation = revocation;
    }

    /// <summary>The validation time, floored to the second.</summary>
    public DateTimeOffset Time { get; }

    public TimeSpan ClockSkew { get; }

    /// <summary>The most intermediates a path may have, self-issued ones not counted.</summary>
    public int MaxChainDepth { get; }

    public int MaxSignatureChecks { get; }

    /// <summary>The purpose the leaf must be valid for; null for any purpose (no extendedKeyUsage requirement at all).</summary>
    public string? RequiredExtendedKeyUsage { get; }

    public bool RequiresServerAuthentication => string.Equals(RequiredExtendedKeyUsage, Oids.ServerAuthentication, StringComparison.Ordinal);

    public bool RequiresEmailProtection => string.Equals(RequiredExtendedKeyUsage, Oids.EmailProtection, StringComparison.Ordinal);

    public RevocationLists Revocation { get; }

    /// <summary>True when <paramref name="time"/> (inclusive) has been reached, allowing for skew.</summary>
    public bool HasReached(DateTimeOffset time) => Time + ClockSkew >= time;

    /// <summary>True when <paramref name="time"/> (inclusive) has not yet passed, allowing for skew.</summary>
    public bool HasNotPassed(DateTimeOffset time) => Time - ClockSkew <= time;

    /// <summary>
    /// Narrows <paramref name="interval"/> (which holds this validation's instant) to the instants at which
    /// <see cref="HasReached"/>(<paramref name="from"/>) and <see cref="HasNotPassed"/>(<paramref name="until"/>) answer
    /// as they do now. The instant is floored to the second, so the first is true from the first whole second at or
    /// after from − skew, and the second until the end of the second that holds until + skew. In 64-bit ticks,
    /// clamped to the range of <see cref="DateTimeOffset"/>, so no certificate time can overflow it.
    /// </summary>
    public InstantInterval Narrow(InstantInterval interval, DateTimeOffset from, DateTimeOffset until)
    {
        long reached = -FloorToSecond(-(from.UtcTicks - ClockSkew.Ticks));
        long passed = FloorToSecond(until.UtcTicks + ClockSkew.Ticks) + TimeSpan.TicksPerSecond;
        return interval.Split(Time, Instant(reached)).Split(Time, Instant(passed));
    }

    private static long FloorToSecond(long ticks) => Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long remainder) is var seconds && remainder < 0
        ? (seconds - 1) * TimeSpan.TicksPerSecond
        : seconds * TimeSpan.TicksPerSecond;

    private static DateTimeOffset Instant(long utcTicks) =>
        new(Math.Clamp(utcTicks, DateTimeOffset.MinValue.UtcTicks, DateTimeOffset.MaxValue.UtcTicks), TimeSpan.Zero);
}

/// <summary>The revocation lists a validator was given, parsed once when it was created.</summary>
internal sealed class RevocationLists
{
    public RevocationLists(IEnumerable<ReadOnlyMemory<byte>> lists)
    {
        var parsed = new List<ParsedCrl>();
        var errors = new List<string>();
        foreach (ReadOnlyMemory<byte> der in lists)
        {
            if (ParsedCrl.TryParse(der.ToArray(), out ParsedCrl? crl, out string? error))
            {
                parsed.Add(crl);
            }
            else
            {
                errors.Add(error);
            }
        }

        Lists = parsed;
        Errors = errors;
    }

    public static RevocationLists None { get; } = new([]);

    public IReadOnlyList<ParsedCrl> Lists { get; }

    /// <summary>Why each list that could not be parsed was refused.</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>True when revocation must be checked (some list was given, even a bad one).</summary>
    public bool IsEnabled => Lists.Count > 0 || Errors.Count > 0;
}
