using MediatR;

namespace MergeTrain.Application.Mediation;

/// <summary>
/// Commits the request's <see cref="DbSession"/> once the handler has succeeded: a command's
/// writes (state, inbox, jobs, webhook records) land together or not at all.
/// </summary>
public sealed class TransactionBehavior<TRequest, TResponse>(DbSession session) : IPipelineBehavior<TRequest, TResponse>
{
    /// <inheritdoc/>
    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var response = await next();
        await session.CommitAsync(cancellationToken);
        return response;
    }
}
