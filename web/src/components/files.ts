/** Downloads from the API: links that work with a cookie session and with a bearer token. Not on the overview's path. */
import { message } from 'antd';
import { fetchFile, usesBearer } from '../api/client.ts';

/**
 * The click handler of a link to a file the API serves (`<a href={API + path} download>`). With the
 * session cookie the link downloads it as it is; signed in with a bearer token (Cognito) the link
 * would carry no token, so the file is fetched with it and saved from a Blob.
 */
export function apiFileClick(path: string, name: string) {
  return (event: { preventDefault(): void }) => {
    if (!usesBearer()) return;
    event.preventDefault();
    fetchFile(path).then((blob) => saveBlob(blob, name), (error: unknown) => { void message.error(`${name}: ${(error as Error).message}`); });
  };
}

/** Triggers a file download of a Blob (template, exports) without a navigation. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
