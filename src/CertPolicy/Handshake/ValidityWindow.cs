namespace CertPolicy;

/// <summary>
/// The span of time around one instant during which no certificate of a set changes between "not yet valid",
/// "valid" and "expired", as the validator judges them: it floors the validation time to the second (certificates
/// carry whole seconds) and allows <c>skew</c> either way (see <see cref="ValidationSettings"/>). So a certificate
/// is valid from the first whole second at or after notBefore − skew, until the end of the second that holds
/// notAfter + skew. All in UTC ticks, in 64-bit arithmetic that cannot overflow for any certificate time (years 1
/// to 9999, as "99991231235959Z", the no-expiry date of RFC 5280, gives) with a skew of at most a day.
/// </summary>
internal struct ValidityWindow
{
    private readonly long _now;
    private readonly long _skew;

    public ValidityWindow(long nowUtcTicks, long skewTicks)
    {
        _now = nowUtcTicks;
        _skew = skewTicks;
        From = long.MinValue;
        Until = long.MaxValue;
    }

    /// <summary>The first instant of the window (inclusive).</summary>
    public long From { get; private set; }

    /// <summary>The first instant after the window (exclusive).</summary>
    public long Until { get; private set; }

    /// <summary>Shrinks the window to the instants where a certificate valid over [notBefore, notAfter] does not change state.</summary>
    public void Narrow(long notBeforeUtcTicks, long notAfterUtcTicks)
    {
        Narrow(CeilingToSecond(notBeforeUtcTicks - _skew));
        Narrow(FloorToSecond(notAfterUtcTicks + _skew) + TimeSpan.TicksPerSecond);
    }

    private void Narrow(long boundary)
    {
        if (boundary <= _now)
        {
            From = Math.Max(From, boundary);
        }
        else
        {
            Until = Math.Min(Until, boundary);
        }
    }

    private static long FloorToSecond(long ticks)
    {
        long seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long remainder);
        return (remainder < 0 ? seconds - 1 : seconds) * TimeSpan.TicksPerSecond;
    }

    private static long CeilingToSecond(long ticks) => -FloorToSecond(-ticks);
}
