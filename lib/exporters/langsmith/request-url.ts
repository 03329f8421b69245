import { withoutTrailingSlashes } from '../../url-path.js';

/**
 * @internal The URL of `path` (`/runs/multipart`, `/info`) under `endpoint`: the path appended to the endpoint's own,
 * its query kept after it — an API gateway's key (`?code=…`) goes on every request. langsmith's client appends the
 * path to the URL's text instead (`${apiUrl}/runs/multipart`), after the query: the path then went into the last
 * query value, and the request to the endpoint's own path.
 */
export function requestUrl(endpoint: URL, path: string): URL {
  const url = new URL(endpoint.href);
  url.pathname = withoutTrailingSlashes(url.pathname) + path;
  // Never sent by any client; dropped so the URL is what goes on the wire.
  url.hash = '';
  return url;
}
