import { message } from 'antd';

/** Short confirmations ("Saved"): antd's message through its hook, so it follows the theme and locale. */
export function useToast() {
  const [api, holder] = message.useMessage();
  return { toast: (text: string) => void api.success(text), holder };
}
