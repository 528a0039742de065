namespace CertPolicy;

/// <summary>Looks through an exception and its inner exceptions for one of CertPolicy's refusals.</summary>
internal static class ExceptionChain
{
    /// <summary>How many inner exceptions <see cref="Find{T}"/> looks through.</summary>
    private const int MaxDepth = 16;

    /// <summary>The first <typeparamref name="T"/> in <paramref name="exception"/> or its inner exceptions (as far as 16 deep), or null.</summary>
    public static T? Find<T>(Exception? exception)
        where T : Exception
    {
        for (int depth = 0; exception is not null && depth < MaxDepth; depth++, exception = exception.InnerException)
        {
            if (exception is T found)
            {
                return found;
            }
        }

        return null;
    }
}
