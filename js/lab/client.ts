/**
 * HTTP access to the mlnb server extension. Requests go to the Jupyter server directly (never
 * through a kernel), so the sidebar keeps updating while a training cell keeps the kernel busy.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { ApiError, errorMessage, parseDeleted, parseRunDetail, parseRunsResponse, RunDetail, RunsResponse } from './api';

export class MlnbClient {
  constructor(readonly settings: ServerConnection.ISettings = ServerConnection.makeSettings()) {}

  async runs(): Promise<RunsResponse> {
    return parseRunsResponse(await this._get('mlnb/api/runs'));
  }

  async run(id: number): Promise<RunDetail> {
    return parseRunDetail(await this._get(`mlnb/api/runs/${encodeURIComponent(String(id))}`));
  }

  /** Delete one run (the server refuses a running one with 409 and says why). */
  async deleteRun(id: number): Promise<number[]> {
    return parseDeleted(await this._request(`mlnb/api/runs/${encodeURIComponent(String(id))}`, 'DELETE'));
  }

  /** Delete every finished run of a notebook (an API path, as the runs list gives it). */
  async deleteFinished(notebookPath: string): Promise<number[]> {
    return parseDeleted(await this._request(`mlnb/api/runs?notebook=${encodeURIComponent(notebookPath)}`, 'DELETE'));
  }

  private _get(path: string): Promise<unknown> {
    return this._request(path, 'GET');
  }

  private async _request(path: string, method: 'GET' | 'DELETE'): Promise<unknown> {
    const url = URLExt.join(this.settings.baseUrl, path);
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(url, { method }, this.settings);
    } catch (err) {
      throw new ApiError(`Cannot reach the Jupyter server: ${(err as Error).message ?? err}`, 0);
    }
    const text = await response.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (!response.ok) {
      throw new ApiError(errorMessage(response.status, body, response.statusText), response.status);
    }
    if (body === null) {
      throw new ApiError(`The server's answer to ${path} is not JSON.`, response.status);
    }
    return body;
  }
}
